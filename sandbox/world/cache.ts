import { z } from 'zod';
import { percentIn } from '../../src/input/bounds.ts';
import { count, number, secondsRange, tags } from './fields.ts';
import {
  type DependencyImpact,
  drawMs,
  MinuteGauges,
  NO_IMPACT,
  type PartDeps,
  type WorldPart,
} from './part.ts';

/**
 * The world's ElastiCache (Redis OSS or Valkey) replication group, cluster mode disabled: one
 * primary and its read replicas, one node per listed AZ. The service reads its sessions from the
 * primary endpoint; while that answers nothing, it looks sessions up in its database instead.
 */

export const cacheSchema = z
  .object({
    replicationGroupId: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,39}$/,
        'must be 1-40 lowercase letters, digits or hyphens, starting with a letter',
      ),
    engine: z.enum(['redis', 'valkey']).default('redis'),
    nodeType: z.string().min(1).default('cache.r7g.large'),
    /** The primary node's AZ. */
    primaryAz: z.string().min(1),
    /** One read replica in each of these AZs. */
    replicaAzs: z.array(z.string().min(1)).default([]),
    /** Multi-AZ with automatic failover: a replica in another AZ is promoted when the primary fails. */
    multiAz: z.boolean().default(true),
    /** Seconds from the primary's failure to a replica serving as the new primary. */
    failoverSeconds: secondsRange.default([20, 60]),
    /** Seconds a node that got its power back takes to resync with the primary (it reports ReplicationLag meanwhile). */
    resyncSeconds: secondsRange.default([30, 90]),
    /** Connections the service keeps open to the primary (CurrConnections). */
    connections: count(0, 65_000).default(120),
    /** While the primary answers nothing, session lookups go to the database instead. */
    fallback: z
      .object({
        /** Milliseconds a database lookup adds to the service's p99. */
        addedLatencyMs: number({ min: 0, max: 60_000 }).default(40),
        /** Share of requests (percent) that fail meanwhile: lookups whose cache timeout left the database too little time. */
        errorPercent: z
          .number()
          .check(percentIn({ above: false }))
          .default(0.5),
      })
      .strict()
      .default({ addedLatencyMs: 40, errorPercent: 0.5 }),
    tags: tags.default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.multiAz && c.replicaAzs.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['multiAz'],
        message: 'needs at least one replica (replicaAzs) to fail over to',
      });
    }
  });

export type CacheDefinition = z.infer<typeof cacheSchema>;

export interface CacheNode {
  /** Its cache cluster id, as ElastiCache names a replication group's members: `checkout-sessions-001`. */
  id: string;
  az: string;
  role: 'primary' | 'replica';
  powered: boolean;
  /** While a node that got its power back resyncs with the primary. */
  resyncUntil: number | undefined;
}

const REPLICA_CONNECTIONS = 2;
const STEADY_LAG_S = 0.01;

export class ReplicationGroup implements WorldPart {
  readonly def: CacheDefinition;
  readonly id: string;
  readonly arn: string;
  readonly tags: Record<string, string>;
  readonly nodes: CacheNode[];
  /** When the primary lost its power, until a replica has taken over or it is back. */
  primaryLostAt: number | undefined;
  failovers = 0;
  private readonly deps: PartDeps;
  private readonly cuts = new Map<string, number>();
  private readonly gauges: MinuteGauges;

  constructor(def: CacheDefinition, deps: PartDeps) {
    this.def = def;
    this.deps = deps;
    this.id = def.replicationGroupId;
    this.arn = deps.arn('elasticache', `replicationgroup:${def.replicationGroupId}`);
    this.tags = { ...deps.serviceTags, ...def.tags };
    this.nodes = [def.primaryAz, ...def.replicaAzs].map((az, i) => ({
      id: `${def.replicationGroupId}-${String(i + 1).padStart(3, '0')}`,
      az,
      role: i === 0 ? 'primary' : 'replica',
      powered: true,
      resyncUntil: undefined,
    }));
    this.gauges = new MinuteGauges(deps.metrics);
  }

  primary(): CacheNode | undefined {
    return this.nodes.find((n) => n.role === 'primary');
  }

  /** Whether the primary endpoint answers the service: its node has power and its AZ is reachable. */
  primaryServing(): boolean {
    const p = this.primary();
    return !!p && p.powered && this.deps.azReachable(p.az);
  }

  /** DescribeReplicationGroups' view of the group, which FIS target filters read. */
  describe(): Record<string, unknown> {
    const enabled = (on: boolean) => (on ? 'enabled' : 'disabled');
    return {
      ReplicationGroupId: this.id,
      Status: 'available',
      Engine: this.def.engine,
      CacheNodeType: this.def.nodeType,
      MultiAZ: enabled(this.def.multiAz),
      AutomaticFailover: enabled(this.def.multiAz),
      ClusterEnabled: false,
    };
  }

  /**
   * FIS aws:elasticache:replicationgroup-interrupt-az-power: the nodes in `az` lose power. A primary
   * among them fails over to a replica in another AZ `failoverSeconds` later when Multi-AZ is on;
   * otherwise the group has no primary until the power returns. The returned function brings the
   * power back (once): the nodes return as replicas of the current primary and resync.
   */
  interruptPower(az: string): () => void {
    const cut = (this.cuts.get(az) ?? 0) + 1;
    this.cuts.set(az, cut);
    for (const n of this.nodes.filter((n) => n.az === az)) n.powered = false;
    const p = this.primary();
    if (p && !p.powered && this.primaryLostAt === undefined) {
      this.primaryLostAt = this.deps.clock.now();
      if (this.def.multiAz)
        this.deps.clock.after(drawMs(this.deps.rng, this.def.failoverSeconds), () => this.promote());
    }
    let restored = false;
    return () => {
      if (restored) return;
      restored = true;
      const left = (this.cuts.get(az) ?? 1) - 1;
      if (left > 0) {
        this.cuts.set(az, left);
        return;
      }
      this.cuts.delete(az);
      for (const n of this.nodes.filter((n) => n.az === az)) {
        n.powered = true;
        // The old primary is back before any replica took over: it still holds the data and serves.
        n.resyncUntil =
          n.role === 'replica'
            ? this.deps.clock.now() + drawMs(this.deps.rng, this.def.resyncSeconds)
            : undefined;
      }
      if (this.primary()?.powered) this.primaryLostAt = undefined;
    };
  }

  /** Automatic failover: the first powered replica becomes the primary, the old primary a replica. */
  private promote(): void {
    const old = this.primary();
    if (!old || old.powered) return;
    const next = this.nodes.find((n) => n.role === 'replica' && n.powered);
    if (!next) return;
    old.role = 'replica';
    next.role = 'primary';
    next.resyncUntil = undefined;
    this.primaryLostAt = undefined;
    this.failovers += 1;
  }

  impact(): DependencyImpact {
    if (this.primaryServing()) return NO_IMPACT;
    return {
      errorRatio: this.def.fallback.errorPercent / 100,
      addedLatencyMs: this.def.fallback.addedLatencyMs,
    };
  }

  /**
   * Per node, as ElastiCache publishes them (AWS/ElastiCache, dimensions CacheClusterId and
   * CacheNodeId): IsMaster, ReplicationLag on replicas, CurrConnections. A node without power
   * publishes nothing.
   */
  sample(now: number): void {
    const serving = this.primaryServing();
    for (const n of this.nodes) {
      if (!n.powered) continue;
      const dims = { CacheClusterId: n.id, CacheNodeId: '0001' };
      this.gauges.add('AWS/ElastiCache', 'IsMaster', dims, n.role === 'primary' ? 1 : 0, 'Count');
      if (n.role === 'primary') {
        this.gauges.add(
          'AWS/ElastiCache',
          'CurrConnections',
          dims,
          serving ? this.def.connections : 0,
          'Count',
        );
        continue;
      }
      this.gauges.add('AWS/ElastiCache', 'CurrConnections', dims, REPLICA_CONNECTIONS, 'Count');
      this.gauges.add('AWS/ElastiCache', 'ReplicationLag', dims, this.lagSeconds(n, now), 'Seconds');
    }
  }

  /** A replica's lag: growing while it has no primary to follow, shrinking while it resyncs. */
  private lagSeconds(n: CacheNode, now: number): number {
    if (this.primaryLostAt !== undefined) return (now - this.primaryLostAt) / 1000;
    if (n.resyncUntil !== undefined && n.resyncUntil > now) return (n.resyncUntil - now) / 1000;
    return STEADY_LAG_S;
  }

  flush(minuteStart: number): void {
    this.gauges.flush(minuteStart);
  }
}
