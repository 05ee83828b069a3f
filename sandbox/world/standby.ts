import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { HostCounts } from './alb.ts';
import { WorldError } from './errors.ts';
import { publishClusterEvent } from './rds-events.ts';
import type { StandbyDefinition } from './schema.ts';

export type StandbyDatabaseStatus = 'secondary' | 'promoting' | 'primary';

/** The standby region's Aurora Global Database secondary, as RDS describes it. */
export interface StandbyDatabase {
  id: string;
  arn: string;
  region: string;
  engine: string;
  globalClusterId: string;
  globalClusterArn: string;
  status: StandbyDatabaseStatus;
  /** Virtual time the promotion completes, while it runs. */
  promotionEndsAt: number | undefined;
  /**
   * When the promotion started and the replication lag at that moment: the primary's writes the
   * secondary never received, which the promotion gives up (RPO).
   */
  promotion: { startedAt: number; lostWritesMs: number } | undefined;
}

/** What the standby needs from the rest of the world. */
export interface StandbyDeps {
  clock: VirtualClock;
  bus: EventBus;
  accountId: string;
  engine: string;
  /** Draws a duration in milliseconds from a `[min, max]` seconds range (the world's timing stream). */
  drawMs(range: readonly [number, number]): number;
}

/**
 * A warm standby in another region, as a team sets one up for a regional failover that a person
 * decides: a fleet behind its own load balancer that always serves what reaches it, and an Aurora
 * Global Database secondary that replicates the primary's writes a fraction of a second behind and
 * takes none of its own until it is promoted (FailoverGlobalCluster). Nothing here moves traffic:
 * DNS decides where requests go, and only a change to the record moves them.
 */
export class StandbyRegion {
  readonly def: StandbyDefinition;
  readonly instances: number;
  private readonly deps: StandbyDeps;
  private readonly db: StandbyDatabase | undefined;
  /** The primary's most recent writes the secondary has not received, in milliseconds of writes. */
  private lagMs: number;

  constructor(def: StandbyDefinition, instancesPerAz: number, deps: StandbyDeps) {
    this.def = def;
    this.deps = deps;
    this.instances = (def.instancesPerAz ?? instancesPerAz) * def.availabilityZones.length;
    const db = def.database;
    this.lagMs = db?.baseReplicationLagMs ?? 0;
    this.db = db && {
      id: db.clusterId,
      arn: `arn:aws:rds:${def.region}:${deps.accountId}:cluster:${db.clusterId}`,
      region: def.region,
      engine: deps.engine,
      globalClusterId: db.globalClusterId,
      globalClusterArn: `arn:aws:rds::${deps.accountId}:global-cluster:${db.globalClusterId}`,
      status: 'secondary',
      promotionEndsAt: undefined,
      promotion: undefined,
    };
  }

  get region(): string {
    return this.def.region;
  }

  /** The standby's database, if it has one of its own. */
  database(): StandbyDatabase | undefined {
    return this.db;
  }

  /** Whether the standby takes writes itself: its secondary has been promoted. */
  get writable(): boolean {
    return this.db?.status === 'primary';
  }

  /** Healthy hosts behind the standby's load balancer, per AZ (the standby is never faulted). */
  hostsByAz(): Record<string, HostCounts> {
    const perAz = this.instances / this.def.availabilityZones.length;
    return Object.fromEntries(
      this.def.availabilityZones.map((az) => [az, { healthy: perAz, unhealthy: 0, initial: 0, draining: 0 }]),
    );
  }

  /**
   * The replication lag now (ms, noise applied by `noise`), while the database is a secondary;
   * undefined once it is promoted or when there is none. While the primary's writer can ship its
   * log the lag is the steady one; while it cannot, nothing is written there and nothing arrives
   * here, so the writes missing stay exactly those of the moment the primary was cut off.
   */
  sampleLag(primaryShipping: boolean, noise: number): number | undefined {
    if (this.db?.status !== 'secondary') return undefined;
    if (primaryShipping) this.lagMs = (this.def.database?.baseReplicationLagMs ?? 0) * noise;
    return this.lagMs;
  }

  /**
   * RDS FailoverGlobalCluster with AllowDataLoss (an unplanned failover): the secondary is promoted
   * to the global database's writer, giving up the writes it had not received. It takes writes
   * once the promotion completes (`promotionSeconds`).
   */
  failoverGlobalCluster(globalClusterId: string, targetDbCluster: string): StandbyDatabase {
    const db = this.db;
    if (!db || globalClusterId !== db.globalClusterId) {
      throw new WorldError(
        'GlobalClusterNotFoundFault',
        `The global cluster ${globalClusterId} doesn't exist.`,
      );
    }
    if (targetDbCluster !== db.arn && targetDbCluster !== db.id) {
      throw new WorldError(
        'DBClusterNotFoundFault',
        `${targetDbCluster} is not a secondary cluster of global cluster ${globalClusterId}.`,
      );
    }
    if (db.status !== 'secondary') {
      throw new WorldError(
        'InvalidGlobalClusterStateFault',
        db.status === 'promoting'
          ? `Global cluster ${globalClusterId} is already failing over to ${db.id}.`
          : `${db.id} is already the primary cluster of global cluster ${globalClusterId}.`,
      );
    }
    const now = this.deps.clock.now();
    db.status = 'promoting';
    db.promotion = { startedAt: now, lostWritesMs: this.lagMs };
    db.promotionEndsAt = now + this.deps.drawMs(this.def.database!.promotionSeconds);
    this.publish(
      db,
      'RDS-EVENT-0181',
      `Global failover to DB cluster ${db.id} in Region ${db.region} started.`,
    );
    this.deps.clock.at(db.promotionEndsAt, () => {
      db.status = 'primary';
      db.promotionEndsAt = undefined;
      this.publish(
        db,
        'RDS-EVENT-0185',
        `Global failover to DB cluster ${db.id} in Region ${db.region} completed.`,
      );
    });
    return db;
  }

  private publish(db: StandbyDatabase, eventId: string, message: string): void {
    publishClusterEvent(this.deps.bus, {
      category: 'global-failover',
      cluster: db,
      at: this.deps.clock.now(),
      eventId,
      message,
      also: [db.globalClusterArn],
    });
  }
}
