import { Command, Option } from 'commander';
import type { Io } from '../main.ts';
import { type TimelineSourceFlags, timelineSourceOptions, timeZoneArgument } from '../timeline-options.ts';

export const REPORT_FORMS = { md: 'markdown', html: 'html', json: 'json' } as const;

export interface ReportFlags extends TimelineSourceFlags {
  format: keyof typeof REPORT_FORMS;
  tz: string;
  out?: string;
}

export function reportCommand(io: Io): Command {
  const cmd = new Command('report')
    .description(
      "Render an incident's post-mortem draft from its timeline as it is now (notes and corrections included).",
    )
    .argument('<incident>', 'incident id (faultline incidents lists them)')
    .addOption(
      new Option('--format <format>', 'markdown to paste into a wiki, HTML with charts, or JSON for tools')
        .choices(Object.keys(REPORT_FORMS))
        .default('md'),
    )
    .option('--tz <zone>', 'IANA time zone every time is shown in', timeZoneArgument, 'UTC')
    .option('--out <file>', 'write the report to this file instead of printing it');
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline report az-outage-20260105T0900Z                      # markdown on stdout
  faultline report az-outage-20260105T0900Z --format html --out report.html
  faultline report az-outage-20260105T0900Z --format json --tz Europe/Paris | jq .verdict
  faultline report INCIDENT --aws --stage prod                   # from the table in AWS

The JSON form carries schemaVersion (see docs/report-schema.md).
Exit status: 0 rendered; 2 no such incident, or its timeline cannot be reported on (bad flags too); 1 the timeline could not be read.`,
    )
    .action(async (incidentId: string, flags: ReportFlags) =>
      (await import('../actions/report.ts')).reportAction(incidentId, flags, io),
    );
}
