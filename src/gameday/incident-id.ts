import type { TimelineStore } from '../timeline/store.ts';
import { gameDayIdCandidate } from './ids.ts';
import { eventIds } from './record.ts';

/** Candidates tried before giving up: a hundred runs of one experiment in one minute is a loop, not a schedule. */
const MAX_CANDIDATES = 100;

/**
 * The incident id this run owns: the proposed game-day id, unless another run's OpenIncident has
 * already succeeded on it (the clock that named it went back, e.g. a sandbox whose state was lost),
 * then `id-2`, `id-3`, …. An incident whose OpenIncident never succeeded is this run's own (a retry,
 * or the failure path after OpenIncident failed), so every step of one run settles on the same id.
 */
export async function ownIncidentId(store: TimelineStore, proposed: string): Promise<string> {
  const opened = eventIds.stepAttempts('OpenIncident', 'succeeded');
  for (let n = 1; n <= MAX_CANDIDATES; n++) {
    const id = gameDayIdCandidate(proposed, n);
    const incident = await store.findIncident(id);
    if (incident && incident.kind !== 'gameday') continue;
    if ((await store.withIdPrefix(id, opened)).length === 0) return id;
  }
  throw new Error(
    `game day ${proposed}: ${MAX_CANDIDATES} incidents with this id and its suffixes are other runs'; start it in another minute`,
  );
}
