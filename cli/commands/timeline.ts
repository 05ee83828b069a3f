import { Command } from 'commander';
import { renderTerminalTimeline } from '../../src/report/terminal.ts';
import {
  readIncident,
  reportable,
  type TimelineSourceFlags,
  timelineSourceOptions,
  timeZoneArgument,
  withTimelineStore,
} from '../timeline-source.ts';

export interface TimelineFlags extends TimelineSourceFlags {
  tz: string;
  ids: boolean;
}

export function timelineCommand(io: { out: (line: string) => void; err: (line: string) => void }): Command {
  const cmd = new Command('timeline')
    .description(
      "Print an incident minute by minute: each minute's metrics and events, quiet runs folded, key moments marked.",
    )
    .argument('<incident>', 'incident id (faultline incidents lists them)')
    .option('--tz <zone>', 'IANA time zone every time is shown in', timeZoneArgument, 'UTC')
    .option('--ids', "show each event's id (what faultline note --corrects takes)", false);
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline timeline az-outage-20260105T0900Z
  faultline timeline az-outage-20260105T0900Z --tz America/New_York
  faultline timeline az-outage-20260105T0900Z --ids     # then: faultline note … --corrects <id>

Exit status: 0 printed; 2 no such incident, or its timeline cannot be read as one (bad flags too); 1 the timeline could not be read.`,
    )
    .action(async (incidentId: string, flags: TimelineFlags) => {
      const { incident, events } = await withTimelineStore(flags, (store) => readIncident(store, incidentId));
      const lines = reportable(incidentId, () =>
        renderTerminalTimeline(incident, events, { timeZone: flags.tz, ids: flags.ids }),
      );
      for (const line of lines) io.out(line);
    });
}
