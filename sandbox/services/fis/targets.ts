import { parseSelectionMode } from '../../../src/fis/selection-mode.ts';
import type { TemplateTarget } from '../../../src/fis/template.ts';
import type { RandomStream } from '../../rng.ts';
import type { Candidate } from '../../world/kinds/kind.ts';
import { WORLD_RESOURCE_TYPES } from '../../world/kinds/registry.ts';
import type { World } from '../../world/world.ts';
import type { ResolvedResource } from './model.ts';
import { select } from './selection.ts';

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
  const kind = Object.hasOwn(WORLD_RESOURCE_TYPES, t.resourceType)
    ? WORLD_RESOURCE_TYPES[t.resourceType]
    : undefined;
  const found = (kind?.candidates(world) ?? []).filter((c) => matches(c, t));
  return select(found, mode, rng).map((c) => ({
    targetName,
    resourceType: t.resourceType,
    id: c.id,
    arn: c.arn,
  }));
}
