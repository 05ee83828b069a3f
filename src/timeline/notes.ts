import { randomUUID } from 'node:crypto';
import type { NewTimelineEvent } from './event.ts';

/** What a person adds to a timeline: a note, or a correction of an event (which stays visible). */
export interface PersonEntry {
  author: string;
  text: string;
  /** When the note is about (or when it was written). */
  at: Date;
  /** The id of the event this corrects; a note when absent. */
  corrects?: string;
  /** When it was written, for an entry placed at an earlier `at` (see `placeEntry`). */
  writtenAt?: Date;
}

/**
 * Where an entry without a time of its own goes: now while the incident is open. A closed
 * incident's note is about it, not an event inside it: stamped "now" it would stretch the incident
 * past its close and leave an empty stretch before it that reads as time nobody recorded anything.
 * So it is placed at the close and says when it was written.
 */
export function placeEntry(
  incident: { closedAt?: string },
  now: Date,
): Pick<PersonEntry, 'at' | 'writtenAt'> {
  const closed = incident.closedAt === undefined ? undefined : new Date(incident.closedAt);
  if (closed === undefined || now.getTime() <= closed.getTime()) return { at: now };
  return { at: closed, writtenAt: now };
}

/**
 * The timeline event of a note (`note:<uuid>`) or correction (`correction:<uuid>`), as
 * src/timeline/kinds.ts declares them. The id is drawn once per entry, so a retried write of the
 * same entry is stored once.
 */
export function personEvent(entry: PersonEntry, id: string = randomUUID()): NewTimelineEvent {
  const author = entry.author.trim();
  const text = entry.text.trim();
  if (author === '') throw new PersonEntryError('the author is empty');
  if (text === '') throw new PersonEntryError('the text is empty');
  const kind = entry.corrects === undefined ? 'note' : 'correction';
  const written = entry.writtenAt?.toISOString();
  return {
    eventId: `${kind}:${id}`,
    occurredAt: entry.at.toISOString(),
    source: 'person',
    kind,
    // An instant in UTC, as every summary has it; readers show it in their zone.
    summary: `${author}: ${text}${written === undefined ? '' : ` (written ${written}, after the incident closed)`}`,
    detail: { author, text, ...(written === undefined ? {} : { writtenAt: written }) },
    ...(entry.corrects === undefined ? {} : { corrects: entry.corrects }),
  };
}

export class PersonEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonEntryError';
  }
}
