import { parseIsoDuration } from '../../../src/time/duration.ts';
import type { ReplicationGroup } from '../cache.ts';
import { WorldError } from '../errors.ts';
import type { World } from '../world.ts';
import { namesZone } from '../zones.ts';
import { type ActionRunner, type Candidate, candidate, timedFault, type WorldKind } from './kind.ts';

/**
 * ElastiCache replication groups (Redis OSS, Valkey): aws:elasticache:replicationgroup-interrupt-az-power
 * and its former name aws:elasticache:interrupt-cluster-az-power.
 */

const FILTER_PATHS = [
  'ReplicationGroupId',
  'Status',
  'Engine',
  'CacheNodeType',
  'MultiAZ',
  'AutomaticFailover',
  'ClusterEnabled',
];

/** The group, when it has a node in the AZ `availabilityZoneIdentifier` names (FIS requires the parameter). */
function groupCandidates(world: World, engines: readonly string[]): Candidate[] {
  const g = world.cache;
  if (!g || !engines.includes(g.def.engine)) return [];
  return [
    candidate(
      g,
      g.describe(),
      (name, value) =>
        name === 'availabilityZoneIdentifier' && g.nodes.some((n) => namesZone(world.region, n.az, value)),
    ),
  ];
}

function requireGroup(world: World, id: string): ReplicationGroup {
  const g = world.cache;
  if (!g || g.id !== id) {
    throw new WorldError('ReplicationGroupNotFoundFault', `Replication group ${id} not found.`);
  }
  return g;
}

/**
 * Power to the groups' nodes in the target's AZ (its `availabilityZoneIdentifier`) is cut for
 * `duration`: a primary there fails over to a replica in another AZ if Multi-AZ is on, and the
 * nodes come back as replicas when the power returns, at the end or when the experiment is stopped.
 */
const interruptAzPower: ActionRunner = (ctx) => {
  const ms = parseIsoDuration(ctx.parameters.duration!)!;
  const identifier = ctx.targetParameters.availabilityZoneIdentifier ?? '';
  const az = ctx.world.def.availabilityZones.find((z) => namesZone(ctx.world.region, z, identifier));
  if (!az) {
    throw new WorldError(
      'InvalidParameterValue',
      `${identifier || '(none)'} is not an Availability Zone of the replication groups in ${ctx.world.region}.`,
    );
  }
  const groups = ctx.resources.map((r) => requireGroup(ctx.world, r.id));
  const restores = groups.map((g) => g.interruptPower(az));
  return timedFault(ctx, ms, () => {
    for (const restore of restores) restore();
  });
};

export const elasticacheKind: WorldKind = {
  name: 'ElastiCache replication groups',
  resourceTypes: {
    'aws:elasticache:replicationgroup': {
      filterPaths: FILTER_PATHS,
      candidates: (world) => groupCandidates(world, ['redis', 'valkey']),
    },
    // The name FIS used while it targeted Redis only.
    'aws:elasticache:redis-replicationgroup': {
      filterPaths: FILTER_PATHS,
      candidates: (world) => groupCandidates(world, ['redis']),
    },
  },
  actions: {
    'aws:elasticache:replicationgroup-interrupt-az-power': { run: interruptAzPower },
    'aws:elasticache:interrupt-cluster-az-power': { run: interruptAzPower },
  },
};
