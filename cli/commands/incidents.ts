import { Command } from 'commander';
import type { Io } from '../main.ts';
import { integerIn } from '../options.ts';
import { type TimelineSourceFlags, timelineSourceOptions, timeZoneArgument } from '../timeline-options.ts';
import { incidentsCloseCommand } from './incidents-close.ts';

export interface IncidentsFlags extends TimelineSourceFlags {
  json: boolean;
  tz: string;
  limit: number;
}

export function incidentsCommand(io: Io): Command {
  const cmd = new Command('incidents')
    .description(
      'List incidents (game days and remediated alarms), newest first, with their status and verdict.',
    )
    .option('--json', 'print a JSON array for scripts instead of the table', false)
    .option('--tz <zone>', 'IANA time zone the opening times are shown in', timeZoneArgument, 'UTC')
    .option('--limit <n>', 'show at most this many', integerIn(1, 10_000), 50);
  return (
    timelineSourceOptions(cmd)
      .addHelpText(
        'after',
        `
Examples:
  faultline incidents
  faultline incidents --tz Europe/Paris --limit 10
  faultline incidents --json | jq '.[] | select(.verdict.rto.met == false) | .incidentId'
  faultline incidents close <incident> --reason "…"   # close one no automation will close

The verdict (hypothesis held/deviated, RTO met/missed) is the one the incident's report recorded;
"–" before a report was rendered. A game day run with --dry-run is listed as a "dry run": it
injected nothing, so its RTO was not measured. A day's log of the alarms and events no runbook
acted on (remediation-dropped-<date>) is not an incident: it is named under the list, and
faultline timeline remediation-dropped-<date> says why each was dropped. Exit status: 0 listed
(even none); 2 bad flags or no sandbox state; 1 the incidents could not be read.`,
      )
      .action(async (flags: IncidentsFlags) =>
        (await import('../actions/incidents.ts')).incidentsAction(flags, io),
      )
      // Its own options come before `close`, the subcommand's after it.
      .enablePositionalOptions()
      .addCommand(incidentsCloseCommand(io))
  );
}
