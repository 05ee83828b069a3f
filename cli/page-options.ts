import { type Command, Option } from 'commander';
import { timeZoneArgument } from './timeline-options.ts';

/**
 * The flags of the commands that print a page (scorecard, compare): the flags only, so that the
 * commands' definitions stay light; cli/page-output.ts writes what they ask for.
 */
export const PAGE_FORMATS = ['text', 'json', 'md', 'html'] as const;

/** Flags of the commands that print a page: `--format`, its `--json` shorthand, `--out`, `--tz`. */
export interface PageFlags {
  format: (typeof PAGE_FORMATS)[number];
  json: boolean;
  out?: string;
  tz: string;
}

/** `--format`, `--json`, `--out` and `--tz`, for scorecard and compare. */
export function pageOptions(cmd: Command, html: string): Command {
  return cmd
    .addOption(
      new Option('--format <format>', `text for a terminal, json for tools, md for a wiki, or html: ${html}`)
        .choices(PAGE_FORMATS)
        .default('text'),
    )
    .option('--json', 'the same as --format json', false)
    .option('--out <file>', 'write it to this file instead of printing it')
    .option('--tz <zone>', 'IANA time zone every time is shown in', timeZoneArgument, 'UTC');
}
