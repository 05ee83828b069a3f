import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { Io } from '../main.ts';

/** The catalog faultline ships and validates templates with. */
export const CATALOG_FILE = fileURLToPath(new URL('../../src/fis/catalog.json', import.meta.url));

export interface RefreshFlags {
  aws: boolean;
  region?: string;
  endpoint?: string;
  out: string;
}

export function fisCatalogCommand(io: Io): Command {
  const refresh = new Command('refresh')
    .description(
      "Read FIS's actions and resource types from FIS's own API and write them to the catalog file.",
    )
    .option('--aws', 'read them from FIS in AWS, with the usual credential chain', false)
    .option('--region <region>', "with --aws: the Region whose FIS to read (default: the chain's)")
    .option('--endpoint <url>', 'read them from a running sandbox instead (what its FIS offers)')
    .option('--out <file>', 'the catalog file to write', CATALOG_FILE)
    .addHelpText(
      'after',
      `
Examples:
  faultline fis-catalog refresh --aws --region eu-west-1

FIS's API gives each action's parameters and target keys, not how their values are written: the
documented formats (durations and their bounds, percentages, enumerations) already in the file
are kept for every parameter that is still there. Exit status: 0 written; 2 bad flags or catalog
file (nothing written); 1 FIS could not be read (nothing written).`,
    )
    .action(async (flags: RefreshFlags) =>
      (await import('../actions/fis-catalog.ts')).refreshAction(flags, io),
    );
  return new Command('fis-catalog')
    .description(
      "FIS's catalog of actions and resource types, which validation for AWS checks templates against",
    )
    .addCommand(refresh);
}
