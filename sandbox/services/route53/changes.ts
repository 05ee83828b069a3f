import { AwsError } from '../../protocol/types.ts';
import type { Route53Context } from './context.ts';
import { changeId } from './ids.ts';
import type { ChangeRecord, HostedZone, RecordSet } from './model.ts';

/** How long a change takes to reach every Route 53 name server when the world does not say. */
const DEFAULT_PROPAGATION_SECONDS: readonly [number, number] = [30, 60];

export type ChangeStatus = 'PENDING' | 'INSYNC';

/**
 * Records an accepted change. It stays PENDING for a propagation delay drawn from the world's
 * `dns.propagationSeconds`; the zone's name servers answer with the new records from then on.
 * Changes to one zone reach the name servers in the order they were made.
 */
export function submitChange(
  ctx: Route53Context,
  zone: HostedZone | undefined,
  comment?: string,
): ChangeRecord {
  const now = ctx.core.clock.now();
  const [min, max] = ctx.core.world.def.dns?.propagationSeconds ?? DEFAULT_PROPAGATION_SECONDS;
  const delay = Math.round(ctx.propagation.between(min, max) * 1000);
  const previous = zone?.propagating.at(-1)?.at ?? 0;
  const insyncAt = Math.max(now + delay, previous);
  ctx.state.changeSequence += 1;
  const change: ChangeRecord = {
    id: changeId(ctx.state.changeSequence),
    submittedAt: now,
    insyncAt,
    ...(comment ? { comment } : {}),
  };
  ctx.state.changes.set(change.id, change);
  if (zone) {
    zone.propagating.push({ at: insyncAt, records: structuredClone(zone.records) });
    ctx.core.clock.at(insyncAt, () => ctx.propagated());
  }
  return change;
}

export function changeStatus(change: ChangeRecord, now: number): ChangeStatus {
  return now >= change.insyncAt ? 'INSYNC' : 'PENDING';
}

export function requireChange(ctx: Route53Context, id: string): ChangeRecord {
  const change = ctx.state.changes.get(id);
  if (!change)
    throw new AwsError('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, 404);
  return change;
}

/** The records the zone's name servers answer with now: propagation is applied when it is looked at. */
export function servedRecords(zone: HostedZone, now: number): RecordSet[] {
  while (zone.propagating.length > 0 && zone.propagating[0]!.at <= now) {
    zone.served = zone.propagating.shift()!.records;
  }
  return zone.served;
}
