import { parseIsoDuration } from '../../../src/time/duration.ts';
import { WorldError } from '../errors.ts';
import type { World } from '../world.ts';
import { namesZone } from '../zones.ts';
import { type ActionRunner, candidate, listParameter, timedFault, type WorldKind } from './kind.ts';

/**
 * ARC zonal shift's managed resources: the service's load balancer (aws:arc:start-zonal-autoshift).
 * The world models the shift for an Application Load Balancer only; the Auto Scaling group is not
 * registered with zonal shift.
 */

function loadBalancerArn(world: World): string {
  return world.arn('elasticloadbalancing', `loadbalancer/${world.loadBalancerDimension}`);
}

/**
 * aws:arc:start-zonal-autoshift: for `duration`, the load balancers (of `managedResourceTypes`,
 * ALB by default among them, whose autoshift status is `zonalAutoshiftStatus`) send no new
 * requests to their targets in the AZ; the targets there keep running and keep their health.
 */
const startZonalAutoshift: ActionRunner = (ctx) => {
  const ms = parseIsoDuration(ctx.parameters.duration!)!;
  const identifier = ctx.parameters.availabilityZoneIdentifier!;
  const az = ctx.world.def.availabilityZones.find((z) => namesZone(ctx.world.region, z, identifier));
  if (!az) {
    throw new WorldError(
      'ValidationException',
      `${identifier} is not an Availability Zone of the resources in ${ctx.world.region}.`,
    );
  }
  const types = listParameter(ctx.parameters.managedResourceTypes ?? 'ASG,ALB,NLB,EKS');
  const status = ctx.parameters.zonalAutoshiftStatus ?? 'ENABLED';
  const shiftable =
    types.includes('ALB') &&
    (status === 'ANY' || (status === 'ENABLED') === ctx.world.def.loadBalancer?.zonalAutoshift);
  const lb = loadBalancerArn(ctx.world);
  const shifts = shiftable
    ? ctx.resources.filter((r) => r.arn === lb).map(() => ctx.world.startZonalShift(az))
    : [];
  return timedFault(ctx, ms, () => {
    for (const end of shifts) end();
  });
};

export const arcKind: WorldKind = {
  name: 'ARC zonal shift',
  resourceTypes: {
    'aws:arc:zonal-shift-managed-resource': {
      filterPaths: [],
      candidates: (world) => {
        if (!world.def.loadBalancer) return [];
        const arn = loadBalancerArn(world);
        return [candidate({ id: arn, arn, tags: world.def.service.tags }, {})];
      },
    },
  },
  actions: {
    'aws:arc:start-zonal-autoshift': { run: startZonalAutoshift },
  },
};
