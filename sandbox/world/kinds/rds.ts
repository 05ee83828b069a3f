import type { TimerHandle } from '../../clock.ts';
import { namesZone } from '../zones.ts';
import {
  type ActionContext,
  type ActionRunner,
  candidate,
  isTrue,
  listParameter,
  type RunningAction,
  type WorldKind,
} from './kind.ts';

/** Aurora DB clusters and their DB instances: aws:rds:failover-db-cluster, aws:rds:reboot-db-instances. */

/**
 * Completes the action once `ready()` holds: checked at `at`, when the last change the action
 * started ends (the world ends it on a timer set earlier for the same instant, so it runs first),
 * then every second. Nothing to roll back: a failover or a reboot cannot be undone.
 */
function completeWhen(ctx: ActionContext, at: number, ready: () => boolean): RunningAction {
  let timer: TimerHandle | undefined;
  const check = (): void => {
    if (ready()) ctx.complete();
    else timer = ctx.clock.after(1_000, check);
  };
  timer = ctx.clock.at(at, check);
  return {
    stop(done) {
      ctx.clock.cancel(timer);
      done();
    },
  };
}

/** aws:rds:failover-db-cluster: completes once every cluster is available again. */
const failoverDbCluster: ActionRunner = (ctx) => {
  const ids = ctx.resources.map((r) => r.id);
  // RDS refuses each call on its own; FIS makes one per cluster, so check them all before any.
  for (const id of ids) ctx.world.availableDbCluster(id);
  const ends = ids.map((id) => ctx.world.failoverDbCluster(id).failoverEndsAt ?? ctx.clock.now());
  return completeWhen(ctx, Math.max(...ends), () =>
    ids.every((id) => ctx.world.dbCluster(id)?.status === 'available'),
  );
};

/**
 * aws:rds:reboot-db-instances: each instance restarts (a writer takes no writes meanwhile); with
 * `forceFailover`, a writer's reboot fails its cluster over instead. Completes when every one is
 * available again.
 */
const rebootDbInstances: ActionRunner = (ctx) => {
  const ids = ctx.resources.map((r) => r.id);
  for (const id of ids) ctx.world.availableDbInstance(id);
  const force = isTrue(ctx.parameters.forceFailover);
  const ends = ids.map((id) => ctx.world.rebootDbInstance(id, force));
  return completeWhen(ctx, Math.max(...ends), () => {
    const status = new Map(ctx.world.dbInstances().map((d) => [d.id, d.status]));
    return ids.every((id) => status.get(id) === 'available');
  });
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
