import { Command } from 'commander';
import type { Io } from '../main.ts';
import { type TimelineSourceFlags, timelineSourceOptions, timeZoneArgument } from '../timeline-options.ts';

export interface TimelineFlags extends TimelineSourceFlags {
  tz: string;
  ids: boolean;
  steps: boolean;
}

export function timelineCommand(io: Io): Command {
  const cmd = new Command('timeline')
    .description(
      "Print an incident minute by minute: each minute's metrics and events, quiet runs folded, key moments marked.",
    )
    .argument('<incident>', 'incident id (faultline incidents lists them)')
    .option('--tz <zone>', 'IANA time zone every time is shown in', timeZoneArgument, 'UTC')
    .option('--ids', "show each event's id (what faultline note --corrects takes)", false)
    .option(
      '--steps',
      "show the orchestration's bookkeeping too: each step starting and returning, the preflight checks that passed, a remediation joining the incident",
      false,
    );
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline timeline az-outage-20260105T0900Z
  faultline timeline az-outage-20260105T0900Z --tz America/New_York
  faultline timeline az-outage-20260105T0900Z --ids     # then: faultline note … --corrects <id>
  faultline timeline az-outage-20260105T0900Z --steps   # every step of the state machine as well

By default the timeline shows what happened to the service and what people and automation did
about it; --steps adds the state machine's own bookkeeping (every event is kept either way).

Exit status: 0 printed; 2 no such incident, or its timeline cannot be read as one (bad flags too); 1 the timeline could not be read.`,
    )
    .action(async (incidentId: string, flags: TimelineFlags) =>
      (await import('../actions/timeline.ts')).timelineAction(incidentId, flags, io),
    );
}
