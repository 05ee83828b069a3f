import {
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/errors.ts';
import type { ExperimentSpec } from '../experiments/schema.ts';
import { parseSelectionMode, selectedCount } from '../fis/selection-mode.ts';
import type * as z from '../zod.ts';
import type { preflightResult } from './state.ts';

export type BlastRadius = z.infer<typeof preflightResult>['blastRadius'];
type TargetSpec = ExperimentSpec['fault']['targets'][string];

/**
 * How many of `n` candidates a target's `select` picks, by FIS's own rule. The spec schema has
 * already refused a mode that does not parse; were one to slip through, counting every candidate
 * errs on the safe side for a guardrail.
 */
export function selectionCount(select: string, n: number): number {
  const mode = parseSelectionMode(select);
  return mode ? selectedCount(mode, n) : n;
}

/** FIS target filters: each path (`Placement.AvailabilityZone`) read from the Describe output must match one value. */
export function matchesFilters(resource: object, filters: TargetSpec['filters']): boolean {
  for (const [path, accepted] of Object.entries(filters ?? {})) {
    let at: unknown = resource;
    for (const key of path.split('.'))
      at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    const values = Array.isArray(accepted) ? accepted : [accepted];
    if (at === undefined || !values.includes(String(at))) return false;
  }
  return true;
}

/** `arn:aws:ec2:r:a:instance/i-0abc` → `i-0abc`. */
function resourceIdOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function selectorFilters(t: TargetSpec, idFilter: string): Filter[] {
  if (t.arns) return [{ Name: idFilter, Values: t.arns.map(resourceIdOf) }];
  return Object.entries(t.tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
}

async function describeInstances(ec2: EC2Client, filters: Filter[]): Promise<Instance[]> {
  const out: Instance[] = [];
  let token: string | undefined;
  do {
    const page = await awsCall('describe instances', () =>
      ec2.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token })),
    );
    for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

async function describeSubnets(ec2: EC2Client, filters: Filter[]): Promise<Subnet[]> {
  const out: Subnet[] = [];
  let token: string | undefined;
  do {
    const page = await awsCall('describe subnets', () =>
      ec2.send(new DescribeSubnetsCommand({ Filters: filters, NextToken: token })),
    );
    out.push(...(page.Subnets ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/** FIS target parameters a subnet satisfies (`availabilityZoneIdentifier`, `vpc`). */
function subnetMatchesParameters(s: Subnet, parameters: Record<string, string> | undefined): boolean {
  return Object.entries(parameters ?? {}).every(([k, v]) =>
    k === 'availabilityZoneIdentifier'
      ? v === s.AvailabilityZone || v === s.AvailabilityZoneId
      : k === 'vpc'
        ? v === s.VpcId
        : true,
  );
}

/**
 * What the fault would hit if it started now: each instance target resolved as FIS resolves it
 * (tags or ARNs, then filters, then the selection mode), each subnet target as the running
 * instances in its subnets, against the service's fleet (its running instances tagged
 * `Service=<service>`). FIS picks COUNT/PERCENT selections at random when the experiment starts;
 * here the first ones by id stand for them, which counts the same.
 */
export async function measureBlastRadius(ec2: EC2Client, spec: ExperimentSpec): Promise<BlastRadius> {
  const fleet = await describeInstances(ec2, [
    { Name: 'tag:Service', Values: [spec.service] },
    { Name: 'instance-state-name', Values: ['running'] },
  ]);
  const targets: Record<string, string[]> = {};
  const uncounted: Record<string, string> = {};
  for (const [name, t] of Object.entries(spec.fault.targets)) {
    if (!COUNTED_TYPES.has(t.type)) {
      uncounted[name] = t.type;
    } else if (t.type === 'aws:ec2:instance' || t.type === 'aws:ec2:spot-instance') {
      const spot: Filter[] =
        t.type === 'aws:ec2:spot-instance' ? [{ Name: 'instance-lifecycle', Values: ['spot'] }] : [];
      const found = (await describeInstances(ec2, [...selectorFilters(t, 'instance-id'), ...spot]))
        .filter((i) => matchesFilters(i, t.filters))
        .map((i) => i.InstanceId!)
        .sort();
      targets[name] = found.slice(0, selectionCount(t.select, found.length));
    } else if (t.type === 'aws:ec2:subnet') {
      const subnets = (await describeSubnets(ec2, selectorFilters(t, 'subnet-id')))
        .filter((s) => matchesFilters(s, t.filters) && subnetMatchesParameters(s, t.parameters))
        .map((s) => s.SubnetId!)
        .sort();
      const picked = new Set(subnets.slice(0, selectionCount(t.select, subnets.length)));
      targets[name] = fleet
        .filter((i) => i.SubnetId && picked.has(i.SubnetId))
        .map((i) => i.InstanceId!)
        .sort();
    }
  }
  const hit = new Set(Object.values(targets).flat());
  const total = fleet.length;
  return {
    targets,
    instancesHit: hit.size,
    instancesTotal: total,
    percent: total === 0 ? (hit.size === 0 ? 0 : 100) : Math.round((hit.size / total) * 1000) / 10,
    ...(Object.keys(uncounted).length > 0 ? { uncounted } : {}),
  };
}

/**
 * The target types whose blast radius is counted, in the service's running instances. Others (a
 * Lambda function, a cache, an ECS task) are named as not counted rather than shown as hitting
 * nothing.
 */
const COUNTED_TYPES: ReadonlySet<string> = new Set([
  'aws:ec2:instance',
  'aws:ec2:spot-instance',
  'aws:ec2:subnet',
]);
