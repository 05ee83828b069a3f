import { arcKind } from './arc.ts';
import { asgKind } from './asg.ts';
import { dynamodbKind } from './dynamodb.ts';
import { ebsKind } from './ebs.ts';
import { ec2Kind } from './ec2.ts';
import { ecsKind } from './ecs.ts';
import { elasticacheKind } from './elasticache.ts';
import { fisKind } from './fis.ts';
import type { ActionSupport, ResourceTypeSupport, WorldKind } from './kind.ts';
import { lambdaKind } from './lambda.ts';
import { networkKind } from './network.ts';
import { rdsKind } from './rds.ts';
import { ssmKind } from './ssm.ts';
import { ssmAutomationKind } from './ssm-automation.ts';

/**
 * Every kind of resource the world models, each with the FIS resource types it resolves and the
 * actions it runs. The sandbox's FIS knows nothing else: a new kind is one module here.
 */
export const WORLD_KINDS: readonly WorldKind[] = [
  ec2Kind,
  ebsKind,
  asgKind,
  arcKind,
  networkKind,
  rdsKind,
  elasticacheKind,
  ecsKind,
  ssmKind,
  ssmAutomationKind,
  fisKind,
  lambdaKind,
  dynamodbKind,
];

/** One table from the kinds' entries; two kinds claiming the same key is a defect caught at load. */
function merge<T>(
  pick: (k: WorldKind) => Readonly<Record<string, T>> | undefined,
): Readonly<Record<string, T>> {
  const table: Record<string, T> = {};
  const owner: Record<string, string> = {};
  for (const kind of WORLD_KINDS) {
    for (const [key, value] of Object.entries(pick(kind) ?? {})) {
      if (Object.hasOwn(table, key))
        throw new Error(`${key} is claimed by both ${owner[key]} and ${kind.name}`);
      table[key] = value;
      owner[key] = kind.name;
    }
  }
  return table;
}

/** Action id → how the world runs it. */
export const WORLD_ACTIONS: Readonly<Record<string, ActionSupport>> = merge((k) => k.actions);
/** FIS resource type → how the world resolves it. */
export const WORLD_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSupport>> = merge(
  (k) => k.resourceTypes,
);
