import type { RandomStream } from '../../rng.ts';
import { servedRecords } from './changes.ts';
import type { Route53Context } from './context.ts';
import type { AliasTarget, FailoverRole, HostedZone, RecordSet } from './model.ts';
import { absoluteName, endpointRegion, isInZone } from './names.ts';

/** What Route 53's name servers answer for a name and type. */
export interface DnsAnswer {
  name: string;
  type: string;
  /** The record set that answered (for failover: the PRIMARY or the SECONDARY). */
  setIdentifier?: string;
  failover?: FailoverRole;
  ttl?: number;
  /** The record's values; for an alias record, the alias target's name. */
  values: string[];
  aliasTarget?: AliasTarget;
  /** The AWS region the answer points at, when its name says so (a load balancer's name). */
  region?: string;
}

/** Route 53 returns at most eight healthy values for a multivalue answer. */
const MULTIVALUE_LIMIT = 8;

/**
 * Answers a DNS query the way Route 53's name servers do, from the records that have finished
 * propagating: failover answers with PRIMARY while it is healthy (or has no health check) and
 * SECONDARY otherwise; weighted picks among healthy sets by weight; when every candidate is
 * unhealthy, Route 53 answers as if all were healthy. Undefined means NXDOMAIN / no data.
 */
export function resolve(
  ctx: Route53Context,
  picks: RandomStream,
  queryName: string,
  type = 'A',
): DnsAnswer | undefined {
  const name = absoluteName(queryName);
  const zone = authoritativeZone(ctx, name);
  if (!zone) return undefined;
  const records = servedRecords(zone, ctx.core.clock.now()).filter((r) => r.name === name);
  const sets = records.filter((r) => r.type === type);
  // A CNAME answers every type at its name; resolvers follow it, this returns it as it is.
  const candidates = sets.length > 0 ? sets : records.filter((r) => r.type === 'CNAME');
  if (candidates.length === 0) return undefined;
  const healthy = (rs: RecordSet) => isHealthy(ctx, rs);
  const first = candidates[0]!;
  if (first.failover) {
    const primary = candidates.find((r) => r.failover === 'PRIMARY');
    const secondary = candidates.find((r) => r.failover === 'SECONDARY');
    const chosen =
      primary && healthy(primary)
        ? primary
        : secondary && healthy(secondary)
          ? secondary
          : (primary ?? secondary)!;
    return answer(chosen);
  }
  if (first.weight !== undefined) return answer(pickWeighted(candidates.filter(healthy), candidates, picks));
  if (first.region !== undefined) {
    const inRegion = (r: RecordSet) => r.region === ctx.core.world.region;
    const ordered = [...candidates.filter(inRegion), ...candidates.filter((r) => !inRegion(r))];
    return answer(ordered.find(healthy) ?? ordered[0]!);
  }
  if (first.multiValueAnswer !== undefined) {
    const live = candidates.filter(healthy);
    const chosen = live.length > 0 ? live : candidates;
    const values = chosen.flatMap((r) => r.values ?? []).slice(0, MULTIVALUE_LIMIT);
    return { ...answer(first), values };
  }
  return answer(first);
}

function authoritativeZone(ctx: Route53Context, name: string): HostedZone | undefined {
  let best: HostedZone | undefined;
  for (const zone of ctx.state.zones.values()) {
    if (zone.privateZone || !isInZone(name, zone.name)) continue;
    if (!best || zone.name.length > best.name.length) best = zone;
  }
  return best;
}

/** A record set is healthy when its health check is and, for an evaluated alias, its target is. */
function isHealthy(ctx: Route53Context, rs: RecordSet): boolean {
  if (rs.healthCheckId !== undefined) {
    const check = ctx.state.healthChecks.get(rs.healthCheckId);
    if (check && !ctx.checkers.isHealthy(check)) return false;
  }
  if (rs.aliasTarget?.evaluateTargetHealth) {
    const region = endpointRegion(rs.aliasTarget.dnsName);
    if (region !== undefined && !ctx.core.world.endpointHealthy(region)) return false;
  }
  return true;
}

function pickWeighted(live: RecordSet[], all: RecordSet[], picks: RandomStream): RecordSet {
  const pool = live.length > 0 ? live : all;
  const total = pool.reduce((sum, r) => sum + (r.weight ?? 0), 0);
  if (total === 0) return picks.pick(pool);
  let ticket = picks.between(0, total);
  for (const r of pool) {
    ticket -= r.weight ?? 0;
    if (ticket < 0) return r;
  }
  return pool.at(-1)!;
}

function answer(rs: RecordSet): DnsAnswer {
  const values = rs.values ?? (rs.aliasTarget ? [rs.aliasTarget.dnsName] : []);
  const pointsAt = rs.aliasTarget?.dnsName ?? (rs.type === 'CNAME' ? values[0] : undefined);
  const region = endpointRegion(pointsAt);
  return {
    name: rs.name,
    type: rs.type,
    ...(rs.setIdentifier !== undefined ? { setIdentifier: rs.setIdentifier } : {}),
    ...(rs.failover !== undefined ? { failover: rs.failover } : {}),
    ...(rs.ttl !== undefined ? { ttl: rs.ttl } : {}),
    values,
    ...(rs.aliasTarget ? { aliasTarget: { ...rs.aliasTarget } } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}
