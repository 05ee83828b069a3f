import type { CreateExperimentTemplateCommandInput } from '@aws-sdk/client-fis';
import type { FieldPath } from '../fis/problem.ts';
import type { ExperimentSpec } from './schema.ts';

/**
 * The members an experiment file names differently from a FIS template: a problem FIS's rules
 * find in the compiled template is reported against the file's field, and a problem found in an
 * imported template's experiment against the template's member.
 */
const TARGET_MEMBERS: Record<string, string> = {
  resourceType: 'type',
  resourceTags: 'tags',
  resourceArns: 'arns',
  selectionMode: 'select',
};
const ACTION_MEMBERS: Record<string, string> = { actionId: 'action' };

const invert = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
const TARGET_FIELDS = invert(TARGET_MEMBERS);
const ACTION_FIELDS = invert(ACTION_MEMBERS);

/** The experiment file's field for a template member (undefined: not from the file, e.g. roleArn). */
export function specPathOf(
  path: FieldPath,
  spec: Pick<ExperimentSpec, 'stopConditions'>,
  template: Pick<CreateExperimentTemplateCommandInput, 'targets' | 'stopConditions'>,
): FieldPath | undefined {
  const [head, name, member, ...rest] = path;
  switch (head) {
    case 'targets': {
      if (name === undefined) return ['fault', 'targets'];
      if (member === undefined) return ['fault', 'targets', name];
      if (member === 'filters' && typeof rest[0] === 'number') {
        const filterPath = template.targets?.[name]?.filters?.[rest[0]]?.path;
        return ['fault', 'targets', name, 'filters', ...(filterPath === undefined ? [] : [filterPath])];
      }
      return ['fault', 'targets', name, TARGET_MEMBERS[member] ?? member, ...rest];
    }
    case 'actions':
      if (name === undefined) return ['fault', 'actions'];
      if (member === undefined) return ['fault', 'actions', name];
      return ['fault', 'actions', name, ACTION_MEMBERS[member] ?? member, ...rest];
    case 'startAfter':
      return ['fault', 'actions'];
    case 'stopConditions': {
      if (typeof name !== 'number') return ['stopConditions'];
      const arn = template.stopConditions?.[name]?.value ?? '';
      const i = spec.stopConditions.findIndex((alarm) => arn.endsWith(`:alarm:${alarm}`));
      return i >= 0 ? ['stopConditions', i] : ['stopConditions'];
    }
    case 'experimentOptions':
      return ['fault', 'emptyTargets'];
    case 'description':
    case 'tags':
      return path;
    default:
      return undefined;
  }
}

/**
 * The template member for an experiment field that came from a template (import): the inverse
 * of specPathOf. `filterIndex` finds a filter's list position by its path; `stopConditionIndex`
 * the template's position of the n-th alarm the experiment took from it.
 */
export function templatePathOf(
  path: FieldPath,
  lookups: {
    filterIndex(target: string, filterPath: string): number | undefined;
    stopConditionIndex(i: number): number | undefined;
  },
): FieldPath | undefined {
  const [head, group, name, member, ...rest] = path;
  if (head === 'fault') {
    if (group === 'emptyTargets') return ['experimentOptions', 'emptyTargetResolutionMode'];
    if (group !== 'targets' && group !== 'actions') return undefined;
    if (name === undefined || member === undefined) return path.slice(1);
    if (group === 'actions') return ['actions', name, ACTION_FIELDS[member] ?? member, ...rest];
    if (member === 'filters' && typeof rest[0] === 'string') {
      const i = lookups.filterIndex(String(name), rest[0]);
      return ['targets', name, 'filters', ...(i === undefined ? [] : [i])];
    }
    return ['targets', name, TARGET_FIELDS[member] ?? member, ...rest];
  }
  if (head === 'stopConditions') {
    if (typeof group !== 'number') return ['stopConditions'];
    const i = lookups.stopConditionIndex(group);
    return i === undefined ? ['stopConditions'] : ['stopConditions', i];
  }
  return undefined;
}
