import { Command, InvalidArgumentError } from 'commander';
import { quote } from '../../src/input/quote.ts';
import { PersonEntryError, personEvent } from '../../src/timeline/notes.ts';
import { defaultAuthor } from '../author.ts';
import { UsageError } from '../errors.ts';
import {
  findIncident,
  type TimelineSourceFlags,
  timelineSourceOptions,
  withTimelineStore,
} from '../timeline-source.ts';

export interface NoteFlags extends TimelineSourceFlags {
  author: string;
  corrects?: string;
  at?: Date;
}

export function noteCommand(io: { out: (line: string) => void; err: (line: string) => void }): Command {
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
    .action(async (incidentId: string, text: string, flags: NoteFlags) => {
      let entry: ReturnType<typeof personEvent>;
      try {
        entry = personEvent({
          author: flags.author,
          text,
          at: flags.at ?? new Date(),
          corrects: flags.corrects,
        });
      } catch (e) {
        if (e instanceof PersonEntryError) throw new UsageError(`nothing written: ${e.message}`);
        throw e;
      }
      const event = await withTimelineStore(flags, async (store) => {
        await findIncident(store, incidentId);
        if (flags.corrects !== undefined && !(await store.findEvent(incidentId, flags.corrects))) {
          throw new UsageError(
            `nothing written: incident '${incidentId}' has no event '${flags.corrects}' to correct ` +
              `(faultline timeline ${incidentId} --ids shows the ids)`,
          );
        }
        // "Now" is read here, once the source is open: in the sandbox that is its virtual clock,
        // the time the incident's other events are on, not this machine's.
        const written = flags.at ? entry : { ...entry, occurredAt: new Date().toISOString() };
        await store.append(incidentId, written);
        return written;
      });
      io.out(
        `${flags.corrects === undefined ? 'Note' : `Correction of ${flags.corrects}`} added to ${incidentId} as ${event.eventId} (at ${event.occurredAt}).`,
      );
    });
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
