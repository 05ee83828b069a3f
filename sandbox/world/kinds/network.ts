import { parseIsoDuration } from '../../../src/time/duration.ts';
import type { Disruption } from '../world.ts';
import { type ActionRunner, candidate, timedFault, type WorldKind } from './kind.ts';

/** VPC subnets: aws:network:disrupt-connectivity. */

/** The disrupt-connectivity scopes the world models (s3express and vpc it does not). */
export const WORLD_SCOPES: readonly Disruption['scope'][] = [
  'all',
  'availability-zone',
  'dynamodb',
  'prefix-list',
  's3',
];

/** aws:network:disrupt-connectivity: the subnets drop traffic for `duration`; stopping ends it at once. */
const disruptConnectivity: ActionRunner = (ctx) => {
  const durationMs = parseIsoDuration(ctx.parameters.duration!)!;
  const scope = (ctx.parameters.scope ?? 'all') as Disruption['scope'];
  const disruption = ctx.world.disruptConnectivity(
    ctx.resources.map((r) => r.id),
    scope,
    durationMs,
  );
  return timedFault(ctx, durationMs, () => ctx.world.endDisruption(disruption));
};

export const networkKind: WorldKind = {
  name: 'subnets',
  resourceTypes: {
    'aws:ec2:subnet': {
      filterPaths: ['SubnetId', 'VpcId', 'AvailabilityZone', 'CidrBlock'],
      candidates: (world) =>
        world
          .subnets()
          .map((s) =>
            candidate(
              s,
              { SubnetId: s.id, VpcId: s.vpcId, AvailabilityZone: s.az, CidrBlock: s.cidr },
              (name, value) =>
                (name === 'availabilityZoneIdentifier' && value === s.az) ||
                (name === 'vpc' && value === s.vpcId),
            ),
          ),
    },
  },
  actions: {
    'aws:network:disrupt-connectivity': {
      checkParameters(p) {
        const problems: { path: string[]; detail: string }[] = [];
        const scope = p.scope ?? 'all';
        if (!(WORLD_SCOPES as readonly string[]).includes(scope)) {
          problems.push({
            path: ['parameters', 'scope'],
            detail: `${scope} is a scope the sandbox does not model (it runs on AWS); the sandbox models: ${WORLD_SCOPES.join(', ')}`,
          });
        }
        if (p.prefixListIdentifier !== undefined && !/^pl-[0-9a-f]+$/.test(p.prefixListIdentifier)) {
          problems.push({
            path: ['parameters', 'prefixListIdentifier'],
            detail: `must be a prefix list id in the sandbox (got '${p.prefixListIdentifier}')`,
          });
        }
        return problems;
      },
      run: disruptConnectivity,
    },
  },
};
