import { ACTIONS, RESOURCE_TYPES } from './catalog.ts';
import { type FieldPath, type TemplateProblem, templateProblem, unavailableDetail } from './problem.ts';
import { parseSelectionMode } from './selection-mode.ts';
import type { StopCondition, TemplateAction, TemplateBody, TemplateTarget } from './template.ts';

export interface TemplateRuleDeps {
  /**
   * Whether a CloudWatch alarm with this ARN exists (FIS checks stop-condition alarms up front).
   * Left out, alarms are not looked up: the rules then check only what the template says.
   */
  alarmExists?(arn: string): boolean;
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ALARM_ARN = /^arn:aws[\w-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/;

/** Reported by the first failing rule; the rules run in FIS's order so the same template gets the same answer. */
class Refused extends Error {
  readonly problem: TemplateProblem;
  constructor(problem: TemplateProblem) {
    super(problem.fisMessage);
    this.problem = problem;
  }
}

function refuse(...args: Parameters<typeof templateProblem>): never {
  throw new Refused(templateProblem(...args));
}

/**
 * Checks a whole template the way FIS does before it stores one, and returns the first reason it
 * would refuse it (undefined when it would not). Pure: the sandbox's FIS turns the problem into a
 * ValidationException; faultline reports it against the experiment file before anything starts.
 */
export function findTemplateProblem(
  t: TemplateBody,
  deps: TemplateRuleDeps = {},
): TemplateProblem | undefined {
  try {
    checkTemplate(t, deps);
    return undefined;
  } catch (e) {
    if (e instanceof Refused) return e.problem;
    throw e;
  }
}

function checkTemplate(t: TemplateBody, deps: TemplateRuleDeps): void {
  if (!ROLE_ARN.test(t.roleArn)) {
    refuse(['roleArn'], `must be the ARN of an IAM role (got '${t.roleArn}')`);
  }
  checkStopConditions(t.stopConditions, deps);
  for (const [name, target] of Object.entries(t.targets)) checkTarget(name, target);
  if (Object.keys(t.actions).length === 0) refuse(['actions'], 'must define at least one action');
  for (const [name, action] of Object.entries(t.actions)) checkAction(name, action, t);
  const cycle = findStartAfterCycle(t.actions);
  if (cycle) refuse(['startAfter'], `forms a cycle: ${cycle.join(' -> ')}`);
}

function checkStopConditions(conditions: StopCondition[], deps: TemplateRuleDeps): void {
  if (conditions.length === 0) {
    refuse(['stopConditions'], "must contain at least one stop condition (use { source: 'none' } for none)");
  }
  conditions.forEach((c, i) => {
    const field = (member: string): FieldPath => ['stopConditions', i, member];
    if (c.source === 'none') {
      if (c.value !== undefined) refuse(field('value'), 'is not allowed when source is none');
      return;
    }
    if (c.source !== 'aws:cloudwatch:alarm') {
      refuse(field('source'), `must be aws:cloudwatch:alarm or none (got '${c.source}')`);
    }
    if (c.value === undefined) refuse(field('value'), 'is required: the ARN of a CloudWatch alarm');
    if (!ALARM_ARN.test(c.value)) {
      refuse(field('value'), `must be a CloudWatch alarm ARN (got '${c.value}')`);
    }
    if (deps.alarmExists && !deps.alarmExists(c.value)) {
      refuse(field('value'), `the CloudWatch alarm ${c.value} does not exist`, 'colon');
    }
  });
}

function checkTarget(name: string, t: TemplateTarget): void {
  const field = (...member: (string | number)[]): FieldPath => ['targets', name, ...member];
  const type = RESOURCE_TYPES[t.resourceType];
  if (!type) {
    refuse(
      field('resourceType'),
      `${t.resourceType} is not supported; supported resource types: ${Object.keys(RESOURCE_TYPES).join(', ')}`,
    );
  }
  if (!parseSelectionMode(t.selectionMode)) {
    refuse(
      field('selectionMode'),
      `must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got '${t.selectionMode}')`,
    );
  }
  const hasArns = t.resourceArns !== undefined;
  const hasTags = t.resourceTags !== undefined;
  const hasParameters = t.parameters !== undefined && Object.keys(t.parameters).length > 0;
  if (hasArns && hasTags) refuse(field(), 'must specify either resourceArns or resourceTags, not both');
  if (!hasArns && !hasTags && !hasParameters) {
    refuse(
      field(),
      `must specify resourceArns or resourceTags${Object.keys(type.parameters).length > 0 ? ' or parameters' : ''}`,
    );
  }
  if (hasArns) {
    if (t.resourceArns!.length === 0) refuse(field('resourceArns'), 'must not be empty');
    for (const arn of t.resourceArns!) {
      if (!type.arnPattern.test(arn)) {
        refuse(field('resourceArns'), `contains '${arn}', which is not an ${t.resourceType} ARN`);
      }
    }
  }
  if (hasTags && Object.keys(t.resourceTags!).length === 0)
    refuse(field('resourceTags'), 'must not be empty');
  for (const key of Object.keys(t.parameters ?? {})) {
    if (!type.parameters[key]) {
      const known = Object.keys(type.parameters);
      refuse(
        field('parameters', key),
        `is not a parameter of ${t.resourceType}${known.length > 0 ? `; valid parameters: ${known.join(', ')}` : ' (it takes none)'}`,
      );
    }
  }
  (t.filters ?? []).forEach((f, i) => {
    if (!type.filterPaths.includes(f.path)) {
      refuse(
        field('filters', i, 'path'),
        `${f.path} is not a filter path of ${t.resourceType}; valid paths: ${type.filterPaths.join(', ')}`,
      );
    }
  });
}

function checkAction(name: string, a: TemplateAction, t: TemplateBody): void {
  const field = (...member: string[]): FieldPath => ['actions', name, ...member];
  if (!a.actionId) refuse(field('actionId'), 'is required');
  const spec = ACTIONS[a.actionId];
  if (!spec) {
    refuse(
      field('actionId'),
      `${a.actionId} is not a supported action; supported actions: ${Object.keys(ACTIONS).join(', ')}`,
    );
  }
  const params = a.parameters ?? {};
  for (const [key, value] of Object.entries(params)) {
    const p = spec.parameters[key];
    if (!p) {
      const known = Object.keys(spec.parameters);
      refuse(
        field('parameters', key),
        `is not a parameter of ${spec.id}${known.length > 0 ? `; valid parameters: ${known.join(', ')}` : ' (it takes none)'}`,
      );
    }
    const problem = p.check(value);
    if (typeof problem === 'string') refuse(field('parameters', key), problem);
    if (problem) refuse(field('parameters', key), unavailableDetail(problem), 'invalid', problem);
  }
  for (const [key, p] of Object.entries(spec.parameters)) {
    if (p.required && params[key] === undefined)
      refuse(field('parameters', key), `is required by ${spec.id}`);
  }
  const combined = spec.checkParameters?.(params);
  if (combined) refuse(field(), combined, 'colon');

  const targets = a.targets ?? {};
  const expectedKeys = Object.keys(spec.targets);
  for (const [key, targetName] of Object.entries(targets)) {
    const wantedType = spec.targets[key];
    if (!wantedType) {
      refuse(
        field('targets', key),
        `is not a target of ${spec.id}; ${expectedKeys.length > 0 ? `it takes ${expectedKeys.map((k) => `'${k}'`).join(', ')}` : 'it takes no targets'}`,
      );
    }
    const target = t.targets[targetName];
    if (!target) {
      refuse(field('targets', key), `names target '${targetName}', which is not defined in 'targets'`);
    }
    if (target.resourceType !== wantedType) {
      refuse(
        field('targets', key),
        `names target '${targetName}' of resource type ${target.resourceType}, but ${spec.id} needs ${wantedType}`,
      );
    }
  }
  for (const key of expectedKeys) {
    if (targets[key] === undefined) {
      refuse(field('targets', key), `is required by ${spec.id} (a ${spec.targets[key]} target)`);
    }
  }
  for (const before of a.startAfter ?? []) {
    if (before === name) refuse(field('startAfter'), 'names the action itself');
    if (!t.actions[before]) {
      refuse(field('startAfter'), `names action '${before}', which is not defined in 'actions'`);
    }
  }
}

/** The first startAfter cycle found, as the list of action names around it, or undefined. */
function findStartAfterCycle(actions: Record<string, TemplateAction>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const at = path.indexOf(name);
    if (at >= 0) return [...path.slice(at), name];
    if (done.has(name)) return undefined;
    path.push(name);
    for (const before of actions[name]?.startAfter ?? []) {
      const cycle = visit(before);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const name of Object.keys(actions)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}
