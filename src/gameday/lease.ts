import { holdersOf, releaseOwnedSlots, type SlotStore, takeSlot } from '../remediation/slots.ts';

/**
 * One game day per service, held as a lease in the safety table (the remediation table's slots):
 * a conditional write that only one game day can win, taken by preflight before anything is
 * injected, renewed every minute the game day observes, released when its fault has ended. A game
 * day that dies holding it (a crash, a deleted execution) loses it once it expires: another may
 * then take it over, and preflight's FIS check still refuses while an experiment runs.
 */
export const LEASE_MS = 10 * 60_000;

const key = (service: string) => `GAMEDAY#${service}`;

export type Lease = { held: true } | { held: false; holder: string };

/** Takes the service's lease for this game day, or renews it if it already holds it. */
export async function takeLease(store: SlotStore, service: string, gamedayId: string): Promise<Lease> {
  const got = await takeSlot(store, key(service), { max: 1, holdMs: LEASE_MS, owner: gamedayId });
  if (got.taken) return { held: true };
  const [holder] = await holdersOf(store, key(service));
  return { held: false, holder: holder ?? 'another game day' };
}

/** Gives the lease back; a lease someone else holds (ours expired and was taken over) is left alone. */
export async function releaseLease(store: SlotStore, service: string, gamedayId: string): Promise<void> {
  await releaseOwnedSlots(store, key(service), gamedayId);
}

/** Whether this game day took the service's lease (preflight's `lease` check passed and was not a dry run's). */
export function holdsLease(state: {
  dryRun?: boolean;
  preflight?: { checks: readonly { name: string; ok: boolean }[] };
}): boolean {
  return !state.dryRun && (state.preflight?.checks.some((c) => c.name === 'lease' && c.ok) ?? false);
}
