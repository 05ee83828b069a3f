import { Command, InvalidArgumentError } from 'commander';
import { quote } from '../../src/input/quote.ts';
import { defaultAuthor } from '../author.ts';
import type { Io } from '../main.ts';
import { type TimelineSourceFlags, timelineSourceOptions } from '../timeline-options.ts';

export interface NoteFlags extends TimelineSourceFlags {
  author: string;
  corrects?: string;
  at?: Date;
}

export function noteCommand(io: Io): Command {
  const cmd = new Command('note')
    .description(
      "Add a person's note to an incident's timeline, or a correction of one of its events (the event itself stays as it was).",
    )
    .argument('<incident>', 'incident id (faultline incidents lists them)')
    .argument('<text>', 'what to say (quote it)')
    .option('--author <name>', 'who writes it', defaultAuthor())
    .option(
      '--corrects <event-id>',
      'make it a correction of this event (faultline timeline <incident> --ids shows the ids)',
    )
    .option(
      '--at <time>',
      'when the note is about, ISO-8601 with a zone (e.g. 2026-01-05T09:03:00Z); default: now',
      instant,
    );
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline note az-outage-20260105T0900Z "Paged by checkout-unhealthy-hosts; watching." --author alice
  faultline note az-outage-20260105T0900Z "Looking at replica lag" --at 2026-01-05T09:03:00Z
  faultline note az-outage-20260105T0900Z "The 5xx alarm fired late: its period is 5 min" \\
      --corrects 'alarm:checkout-5xx-rate:2026-01-05T09:03:00.000Z'

Automatic events are never edited: a correction is an event of its own that names the one it
corrects, and reports show both. Exit status: 0 added; 2 no such incident or event, or empty text
(nothing is written); 1 the timeline could not be written.`,
    )
    .action(async (incidentId: string, text: string, flags: NoteFlags) =>
      (await import('../actions/note.ts')).noteAction(incidentId, text, flags, io),
    );
}

function instant(value: string): Date {
  // A zone is required: a bare 09:03 would silently mean the machine's local time.
  if (
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError(
      `${quote(value)} is not an ISO-8601 time with a zone, such as 2026-01-05T09:03:00Z.`,
    );
  }
  return new Date(value);
}
