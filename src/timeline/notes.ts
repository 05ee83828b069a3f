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
  return {
    eventId: `${kind}:${id}`,
    occurredAt: entry.at.toISOString(),
    source: 'person',
    kind,
    summary: `${author}: ${text}`,
    detail: { author, text },
    ...(entry.corrects === undefined ? {} : { corrects: entry.corrects }),
  };
}

export class PersonEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonEntryError';
  }
}
