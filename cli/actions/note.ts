import { type PersonEntry, PersonEntryError, personEvent, placeEntry } from '../../src/timeline/notes.ts';
import type { NoteFlags } from '../commands/note.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { findIncident, withTimelineStore } from '../timeline-source.ts';

/** `faultline note`: appends a person's note (or correction) to the incident's timeline. */
export async function noteAction(incidentId: string, text: string, flags: NoteFlags, io: Io): Promise<void> {
  const entry = (place: Pick<PersonEntry, 'at' | 'writtenAt'>) => {
    try {
      return personEvent({ author: flags.author, text, corrects: flags.corrects, ...place });
    } catch (e) {
      if (e instanceof PersonEntryError) throw new UsageError(`nothing written: ${e.message}`);
      throw e;
    }
  };
  // Empty text or author is refused before the timeline is opened.
  entry({ at: flags.at ?? new Date() });
  const event = await withTimelineStore(flags, async (store) => {
    const incident = await findIncident(store, incidentId);
    if (flags.corrects !== undefined && !(await store.findEvent(incidentId, flags.corrects))) {
      throw new UsageError(
        `nothing written: incident '${incidentId}' has no event '${flags.corrects}' to correct ` +
          `(faultline timeline ${incidentId} --ids shows the ids)`,
      );
    }
    // "Now" is read here, once the source is open: in the sandbox that is its virtual clock,
    // the time the incident's other events are on, not this machine's.
    const written = entry(flags.at ? { at: flags.at } : placeEntry(incident, new Date()));
    await store.append(incidentId, written);
    return written;
  });
  io.out(
    `${flags.corrects === undefined ? 'Note' : `Correction of ${flags.corrects}`} added to ${incidentId} as ${event.eventId} (at ${event.occurredAt}${closedNote(event)}).`,
  );
}

/** `, when the incident closed; written at …`: for an entry written after the close. */
function closedNote(event: { detail?: Record<string, unknown> }): string {
  const written = event.detail?.writtenAt;
  return typeof written === 'string' ? `, when the incident closed; written at ${written}` : '';
}
