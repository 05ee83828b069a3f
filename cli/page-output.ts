import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './errors.ts';
import type { Io } from './main.ts';
import type { PageFlags } from './page-options.ts';

/** The form asked for: `--json` is `--format json`, and cannot be asked together with another. */
export function pageFormat(flags: PageFlags): PageFlags['format'] {
  if (flags.json && flags.format !== 'text' && flags.format !== 'json') {
    throw new UsageError(`--json and --format ${flags.format} exclude each other`);
  }
  return flags.json ? 'json' : flags.format;
}

/** Prints the page, or writes it to `--out` (its folder made) and says so on standard error. */
export async function writePage(flags: PageFlags, text: string, io: Io): Promise<void> {
  if (flags.out === undefined) {
    io.out(text.trimEnd());
    return;
  }
  await mkdir(dirname(flags.out), { recursive: true });
  await writeFile(flags.out, text.endsWith('\n') ? text : `${text}\n`);
  io.err(`wrote ${flags.out}`);
}
