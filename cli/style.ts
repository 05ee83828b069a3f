import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

/** Colours text for a terminal that shows them, and leaves it as it is for anything else. */
export type Paint = (format: Format, text: string) => string;

export function painter(color: boolean | undefined): Paint {
  // Whether to colour is decided once, by whoever owns the stream (main.ts): not again here.
  return color ? (format, text) => styleText(format, text, { validateStream: false }) : (_, text) => text;
}

/**
 * Whether standard output takes colour: a terminal that has colours, which Node decides from the
 * terminal and the usual variables (NO_COLOR, FORCE_COLOR, TERM=dumb). A pipe or a file gets plain text.
 */
export function stdoutTakesColour(): boolean {
  return process.stdout.isTTY === true && process.stdout.hasColors();
}
