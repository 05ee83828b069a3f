import { parseSelectionMode } from '../../../src/fis/selection-mode.ts';
import type { TemplateTarget } from '../../../src/fis/template.ts';
import type { RandomStream } from '../../rng.ts';
import { INSTANCE_STATE_CODES, type World } from '../../world/world.ts';
import type { ResolvedResource } from './model.ts';
import { select } from './selection.ts';

/** A resource FIS could target, seen the way the owning service's Describe API shows it. */
interface Candidate {
  id: string;
  arn: string;
  tags: Record<string, string>;
  /** What filter paths are read from (`Placement.AvailabilityZone`, `State.Name`, …). */
  described: Record<string, unknown>;
  /** Target parameters (`availabilityZoneIdentifier`, …) this resource satisfies. */
  matchesParameter(name: string, value: string): boolean;
}

function candidates(resourceType: string, world: World): Candidate[] {
  switch (resourceType) {
    case 'aws:ec2:instance':
      return world.instances().map((i) => ({
        id: i.id,
        arn: i.arn,
        tags: i.tags,
        described: {
          InstanceId: i.id,
          InstanceType: i.instanceType,
          ImageId: i.imageId,
          SubnetId: i.subnetId,
          VpcId: i.vpcId,
          PrivateIpAddress: i.privateIp,
          Placement: { AvailabilityZone: i.az },
          State: { Name: i.state, Code: INSTANCE_STATE_CODES[i.state] },
        },
        matchesParameter: () => false,
      }));
    case 'aws:ec2:subnet':
      return world.subnets().map((s) => ({
        id: s.id,
        arn: s.arn,
        tags: s.tags,
        described: { SubnetId: s.id, VpcId: s.vpcId, AvailabilityZone: s.az, CidrBlock: s.cidr },
        matchesParameter: (name, value) =>
          (name === 'availabilityZoneIdentifier' && value === s.az) || (name === 'vpc' && value === s.vpcId),
      }));
    case 'aws:rds:cluster':
      return world.dbClusters().map((c) => ({
        id: c.id,
        arn: c.arn,
        tags: c.tags,
        described: { DBClusterIdentifier: c.id, Engine: c.engine, Status: c.status },
        matchesParameter: (name, value) =>
          name === 'writerAvailabilityZoneIdentifiers' &&
          value
            .split(',')
            .map((az) => az.trim())
            .includes(c.writerAz),
      }));
    default:
      return [];
  }
}

function valueAt(doc: Record<string, unknown>, path: string): unknown {
  let at: unknown = doc;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function matches(c: Candidate, t: TemplateTarget): boolean {
  if (t.resourceArns && !t.resourceArns.includes(c.arn)) return false;
  if (t.resourceTags && !Object.entries(t.resourceTags).every(([k, v]) => c.tags[k] === v)) return false;
  if (t.parameters && !Object.entries(t.parameters).every(([k, v]) => c.matchesParameter(k, v))) return false;
  for (const f of t.filters ?? []) {
    const v = valueAt(c.described, f.path);
    if (v === undefined || !f.values.includes(String(v))) return false;
  }
  return true;
}

/**
 * Resolves one target against the world as FIS does when an experiment starts: ARNs or tags (all
 * must match), then parameters and filters, then the selection mode's random pick.
 */
export function resolveTarget(
  targetName: string,
  t: TemplateTarget,
  world: World,
  rng: RandomStream,
): ResolvedResource[] {
  const mode = parseSelectionMode(t.selectionMode);
  if (!mode) throw new Error(`unvalidated selection mode ${t.selectionMode}`);
  const found = candidates(t.resourceType, world).filter((c) => matches(c, t));
  return select(found, mode, rng).map((c) => ({
    targetName,
    resourceType: t.resourceType,
    id: c.id,
    arn: c.arn,
  }));
}
