import type { TimerHandle } from '../../clock.ts';
import { WorldError } from '../errors.ts';
import { namesZone } from '../zones.ts';
import { type ActionRunner, candidate, listParameter, type WorldKind } from './kind.ts';

/** Aurora DB clusters: aws:rds:failover-db-cluster. */

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
  },
  actions: {
    'aws:rds:failover-db-cluster': { run: failoverDbCluster },
  },
};
