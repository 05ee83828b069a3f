import type { TimerHandle } from '../../clock.ts';
import { WorldError } from '../errors.ts';
import { namesZone } from '../zones.ts';
import { type ActionRunner, candidate, isTrue, listParameter, type WorldKind } from './kind.ts';

/** Aurora DB clusters and their DB instances: aws:rds:failover-db-cluster, aws:rds:reboot-db-instances. */

/** aws:rds:failover-db-cluster: completes once every cluster is available again; a failover cannot be undone. */
const failoverDbCluster: ActionRunner = (ctx) => {
  const ids = ctx.resources.map((r) => r.id);
  for (const id of ids) {
    const c = ctx.world.dbCluster(id);
    if (!c) throw new WorldError('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
    if (c.status !== 'available') {
      throw new WorldError(
        'InvalidDBClusterStateFault',
        `DBCluster ${id} is not in available state (it is ${c.status}).`,
      );
    }
  }
  const ends = ids.map((id) => ctx.world.failoverDbCluster(id).failoverEndsAt ?? ctx.clock.now());
  let timer: TimerHandle | undefined;
  const check = (): void => {
    if (ids.every((id) => ctx.world.dbCluster(id)?.status === 'available')) ctx.complete();
    else timer = ctx.clock.after(1_000, check);
  };
  // The world finishes the failover on a timer set before this one, at the same instant, so it runs first.
  timer = ctx.clock.at(Math.max(...ends), check);
  return {
    stop(done) {
      ctx.clock.cancel(timer);
      done();
    },
  };
};

/**
 * aws:rds:reboot-db-instances: each instance restarts (a writer takes no writes meanwhile); with
 * `forceFailover`, a writer's reboot fails its cluster over instead. Completes when every one is
 * available again; a reboot cannot be undone.
 */
const rebootDbInstances: ActionRunner = (ctx) => {
  const ids = ctx.resources.map((r) => r.id);
  // RDS refuses each call on its own; FIS makes one per instance, so check them all before any.
  for (const id of ids) ctx.world.availableDbInstance(id);
  const force = isTrue(ctx.parameters.forceFailover);
  const ends = ids.map((id) => ctx.world.rebootDbInstance(id, force));
  let timer: TimerHandle | undefined;
  const check = (): void => {
    const status = new Map(ctx.world.dbInstances().map((d) => [d.id, d.status]));
    if (ids.every((id) => status.get(id) === 'available')) ctx.complete();
    else timer = ctx.clock.after(1_000, check);
  };
  // The world ends each reboot on a timer set before this one, at the same instant, so it runs first.
  timer = ctx.clock.at(Math.max(...ends), check);
  return {
    stop(done) {
      ctx.clock.cancel(timer);
      done();
    },
  };
};

export const rdsKind: WorldKind = {
  name: 'Aurora DB clusters',
  resourceTypes: {
    'aws:rds:cluster': {
      filterPaths: ['DBClusterIdentifier', 'Engine', 'Status'],
      candidates: (world) =>
        world
          .dbClusters()
          .map((c) =>
            candidate(
              c,
              { DBClusterIdentifier: c.id, Engine: c.engine, Status: c.status },
              (name, value) =>
                name === 'writerAvailabilityZoneIdentifiers' &&
                listParameter(value).some((z) => namesZone(world.region, c.writerAz, z)),
            ),
          ),
    },
    'aws:rds:db': {
      filterPaths: [
        'DBInstanceIdentifier',
        'DBClusterIdentifier',
        'Engine',
        'DBInstanceClass',
        'AvailabilityZone',
        'DBInstanceStatus',
      ],
      candidates: (world) =>
        world.dbInstances().map((d) =>
          candidate(
            d,
            {
              DBInstanceIdentifier: d.id,
              DBClusterIdentifier: d.clusterId,
              Engine: d.engine,
              DBInstanceClass: d.instanceClass,
              AvailabilityZone: d.az,
              DBInstanceStatus: d.status,
            },
            (name, value) =>
              name === 'availabilityZoneIdentifiers' &&
              listParameter(value).some((z) => namesZone(world.region, d.az, z)),
          ),
        ),
    },
  },
  actions: {
    'aws:rds:failover-db-cluster': { run: failoverDbCluster },
    'aws:rds:reboot-db-instances': { run: rebootDbInstances },
  },
};
