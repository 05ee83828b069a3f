import { closeIncident, IncidentCloseError } from '../../src/timeline/close.ts';
import { PersonEntryError } from '../../src/timeline/notes.ts';
import type { IncidentsCloseFlags } from '../commands/incidents-close.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { findIncident, withTimelineStore } from '../timeline-source.ts';

/** `faultline incidents close`: resolves an open incident by hand, with a note saying who and why. */
export async function incidentsCloseAction(
  incidentId: string,
  flags: IncidentsCloseFlags,
  io: Io,
): Promise<void> {
  const note = await withTimelineStore(flags, async (store) => {
    const incident = await findIncident(store, incidentId);
    try {
      // "Now" once the source is open: in the sandbox, its virtual clock, the incident's own time.
      return await closeIncident(store, incident, {
        author: flags.author,
        reason: flags.reason,
        at: new Date(),
      });
    } catch (e) {
      if (e instanceof IncidentCloseError || e instanceof PersonEntryError) {
        throw new UsageError(`nothing written: ${e.message}`);
      }
      throw e;
    }
  });
  io.out(`Closed ${incidentId} at ${note.occurredAt}: ${note.summary}`);
}
