import { parseIsoDuration } from '../../../src/time/duration.ts';
import { namesZone } from '../zones.ts';
import { type ActionRunner, candidate, listParameter, timedFault, type WorldKind } from './kind.ts';

/** The EC2 Auto Scaling group: aws:ec2:asg-insufficient-instance-capacity-error. */

/**
 * aws:ec2:asg-insufficient-instance-capacity-error: for `duration`, the groups' launches into the
 * named AZs fail with InsufficientInstanceCapacity (`percentage` of them, all by default); a group
 * that must replace an instance launches into another AZ, and keeps retrying while none can take it.
 */
const capacityError: ActionRunner = (ctx) => {
  const ms = parseIsoDuration(ctx.parameters.duration!)!;
  const wanted = listParameter(ctx.parameters.availabilityZoneIdentifiers);
  const azs = ctx.world.def.availabilityZones.filter((az) =>
    wanted.some((id) => namesZone(ctx.world.region, az, id)),
  );
  const percentage = Number(ctx.parameters.percentage ?? 100);
  const ends = ctx.resources.map((r) => ctx.world.injectAsgCapacityError(r.id, azs, percentage));
  return timedFault(ctx, ms, () => {
    for (const end of ends) end();
  });
};

export const asgKind: WorldKind = {
  name: 'Auto Scaling groups',
  resourceTypes: {
    'aws:ec2:autoscaling-group': {
      filterPaths: ['AutoScalingGroupName', 'HealthCheckType'],
      candidates: (world) => {
        const group = world.autoScalingGroup();
        if (!group) return [];
        // The group's tags are the ones it propagates to its instances.
        return [
          candidate(
            { id: group.name, arn: group.arn, tags: world.def.service.tags },
            {
              AutoScalingGroupName: group.name,
              HealthCheckType: group.healthCheckType,
            },
          ),
        ];
      },
    },
  },
  actions: {
    'aws:ec2:asg-insufficient-instance-capacity-error': { run: capacityError },
  },
};
