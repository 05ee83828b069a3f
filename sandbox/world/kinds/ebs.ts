import { parseIsoDuration } from '../../../src/time/duration.ts';
import { namesZone } from '../zones.ts';
import { type ActionRunner, candidate, timedFault, type WorldKind } from './kind.ts';

/** EBS volumes (each instance's root volume): aws:ebs:pause-volume-io. */

/**
 * aws:ebs:pause-volume-io: the volumes accept no I/O for `duration`, and the instances they are
 * attached to hang (their status checks fail, the load balancer's checks time out). Stopping the
 * experiment resumes I/O at once.
 */
const pauseVolumeIo: ActionRunner = (ctx) => {
  const ms = parseIsoDuration(ctx.parameters.duration!)!;
  const ids = ctx.resources.map((r) => r.id);
  ctx.world.pauseVolumeIo(ids, ms);
  return timedFault(ctx, ms, () => ctx.world.resumeVolumeIo(ids));
};

export const ebsKind: WorldKind = {
  name: 'EBS volumes',
  resourceTypes: {
    'aws:ec2:ebs-volume': {
      filterPaths: ['VolumeId', 'VolumeType', 'Size', 'AvailabilityZone', 'State'],
      candidates: (world) =>
        world
          .volumes()
          .filter((v) => v.state === 'in-use')
          .map((v) =>
            candidate(
              v,
              {
                VolumeId: v.id,
                VolumeType: v.volumeType,
                Size: v.sizeGiB,
                AvailabilityZone: v.az,
                State: v.state,
              },
              (name, value) => name === 'availabilityZoneIdentifier' && namesZone(world.region, v.az, value),
            ),
          ),
    },
  },
  actions: {
    'aws:ebs:pause-volume-io': { run: pauseVolumeIo },
  },
};
