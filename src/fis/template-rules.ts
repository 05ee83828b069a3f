import { quote } from '../input/quote.ts';
import { closest } from '../text/closest.ts';
import {
  type ActionEntry,
  CATALOG,
  catalogAction,
  catalogResourceType,
  type ParameterEntry,
  type ResourceTypeEntry,
} from './catalog.ts';
import { arnMatches, valueProblem } from './parameter-format.ts';
import {
  byImportance,
  type FieldPath,
  type ProblemKind,
  type ProblemStyle,
  type TemplateProblem,
  templateProblem,
} from './problem.ts';
import type { FisRuntime } from './runtime.ts';
import { parseSelectionMode } from './selection-mode.ts';
import type { StopCondition, TemplateAction, TemplateBody, TemplateTarget } from './template.ts';

export interface TemplateRuleDeps {
  /**
   * Whether a CloudWatch alarm with this ARN exists (FIS checks stop-condition alarms up front).
   * Left out, alarms are not looked up: the rules then check only what the template says.
   */
  alarmExists?(arn: string): boolean;
  /** Where the experiment runs when that is not AWS (the sandbox): what it models is checked too. */
  runtime?: FisRuntime;
}

/** FIS's quotas on a template (Service Quotas: not adjustable). */
const MAX_ACTIONS = 20;
const MAX_STOP_CONDITIONS = 5;

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ALARM_ARN = /^arn:aws[\w-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/;

/**
 * Everything FIS would refuse in a whole template (and, with a runtime, what that runtime does
 * not model), an unknown action or resource type first; empty when FIS would take it. Pure: the
 * sandbox's FIS answers the first as its ValidationException; faultline reports them all against
 * the experiment file or template before anything starts.
 */
export function findTemplateProblems(t: TemplateBody, deps: TemplateRuleDeps = {}): TemplateProblem[] {
  const found: TemplateProblem[] = [];
  const report = (path: FieldPath, detail: string, style?: ProblemStyle, kind?: ProblemKind) =>
    found.push(templateProblem(path, detail, style, kind));
  const check = new Checker(t, deps, report, found);
  check.template();
  return byImportance(found);
}

/** The problem FIS answers with: the most telling one (findTemplateProblems' first), or undefined. */
export function findTemplateProblem(
  t: TemplateBody,
  deps: TemplateRuleDeps = {},
): TemplateProblem | undefined {
  return findTemplateProblems(t, deps)[0];
}

type Report = (path: FieldPath, detail: string, style?: ProblemStyle, kind?: ProblemKind) => void;

class Checker {
  private readonly t: TemplateBody;
  private readonly deps: TemplateRuleDeps;
  private readonly report: Report;
  private readonly found: TemplateProblem[];

  constructor(t: TemplateBody, deps: TemplateRuleDeps, report: Report, found: TemplateProblem[]) {
    this.t = t;
    this.deps = deps;
    this.report = report;
    this.found = found;
  }

  template(): void {
    const t = this.t;
    if (!ROLE_ARN.test(t.roleArn)) {
      this.report(['roleArn'], `must be the ARN of an IAM role (got ${quote(t.roleArn)})`);
    }
    this.stopConditions(t.stopConditions);
    // A target used only by actions the runtime does not model needs no line of its own.
    const unmodelled = this.unmodelledActionTargets();
    for (const [name, target] of Object.entries(t.targets)) this.target(name, target, unmodelled);
    const actions = Object.entries(t.actions);
    if (actions.length === 0) this.report(['actions'], 'must define at least one action');
    if (actions.length > MAX_ACTIONS) {
      this.report(
        ['actions'],
        `defines ${actions.length} actions; FIS allows at most ${MAX_ACTIONS} per template`,
      );
    }
    for (const [name, action] of actions) this.action(name, action);
    const cycle = findStartAfterCycle(t.actions);
    if (cycle) this.report(['startAfter'], `forms a cycle: ${cycle.join(' -> ')}`);
  }

  private stopConditions(conditions: StopCondition[]): void {
    if (conditions.length === 0) {
      this.report(
        ['stopConditions'],
        "must contain at least one stop condition (use { source: 'none' } for none)",
      );
    }
    if (conditions.length > MAX_STOP_CONDITIONS) {
      this.report(
        ['stopConditions'],
        `has ${conditions.length} stop conditions; FIS allows at most ${MAX_STOP_CONDITIONS} per template`,
      );
    }
    conditions.forEach((c, i) => {
      const field = (member: string): FieldPath => ['stopConditions', i, member];
      if (c.source === 'none') {
        if (c.value !== undefined) this.report(field('value'), 'is not allowed when source is none');
        return;
      }
      if (c.source !== 'aws:cloudwatch:alarm') {
        this.report(field('source'), `must be aws:cloudwatch:alarm or none (got ${quote(c.source)})`);
        return;
      }
      if (c.value === undefined) {
        this.report(field('value'), 'is required: the ARN of a CloudWatch alarm');
      } else if (!ALARM_ARN.test(c.value)) {
        this.report(field('value'), `must be a CloudWatch alarm ARN (got ${quote(c.value)})`);
      } else if (this.deps.alarmExists && !this.deps.alarmExists(c.value)) {
        this.report(field('value'), `the CloudWatch alarm ${c.value} does not exist`, 'colon');
      }
    });
  }

  private target(name: string, t: TemplateTarget, unmodelled: Set<string>): void {
    const field = (...member: (string | number)[]): FieldPath => ['targets', name, ...member];
    if (!parseSelectionMode(t.selectionMode)) {
      this.report(
        field('selectionMode'),
        `must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100 (got ${quote(t.selectionMode)})`,
      );
    }
    const type = catalogResourceType(t.resourceType);
    if (!type) {
      this.report(
        field('resourceType'),
        unknownName('resource type', t.resourceType, CATALOG.resourceTypes),
        'plain',
        'unknown',
      );
      return;
    }
    const runtime = this.deps.runtime;
    const modelled = runtime?.resourceType(t.resourceType);
    if (runtime && !modelled && !unmodelled.has(name)) {
      this.report(
        field('resourceType'),
        notModelled('resource type', t.resourceType, runtime),
        'plain',
        'runtime',
      );
    }
    this.identification(name, t, type);
    this.parameters(field('parameters'), t.parameters ?? {}, type.parameters, t.resourceType);
    if (modelled) {
      (t.filters ?? []).forEach((f, i) => {
        if (!modelled.filterPaths.includes(f.path)) {
          this.report(
            field('filters', i, 'path'),
            `${f.path} is not a filter path of ${t.resourceType} in ${runtime!.name}; it resolves: ${modelled.filterPaths.join(', ')}`,
          );
        }
      });
    }
  }

  /** How the target names its resources: ARNs or tags (not both), or the type's parameters. */
  private identification(name: string, t: TemplateTarget, type: ResourceTypeEntry): void {
    const field = (...member: (string | number)[]): FieldPath => ['targets', name, ...member];
    const hasArns = t.resourceArns !== undefined;
    const hasTags = t.resourceTags !== undefined;
    const hasParameters = t.parameters !== undefined && Object.keys(t.parameters).length > 0;
    const allowed = type.identifiedBy;
    for (const [given, member] of [
      [hasArns, 'resourceArns'],
      [hasTags, 'resourceTags'],
    ] as const) {
      if (given && allowed && !allowed.includes(member)) {
        // FIS's own words (ValidationException of CreateExperimentTemplate).
        this.found.push({
          path: field(member),
          detail: `is not supported by ${t.resourceType}: identify its resources by ${allowed.join(' or ')}`,
          fisMessage: `TargetResourceType ${t.resourceType} does not support ${member}.`,
          kind: 'rule',
        });
      }
    }
    if (hasArns && hasTags)
      this.report(field(), 'must specify either resourceArns or resourceTags, not both');
    if (hasArns && t.filters !== undefined && t.filters.length > 0) {
      this.report(
        field(),
        'must not combine resourceArns with filters: FIS filters only resources it finds itself',
      );
    }
    const takesParameters = Object.keys(type.parameters).length > 0;
    if (!hasArns && !hasTags && !hasParameters) {
      this.report(
        field(),
        `must specify resourceArns or resourceTags${takesParameters ? ' or parameters' : ''}`,
      );
    }
    if (hasArns) {
      if (t.resourceArns!.length === 0) this.report(field('resourceArns'), 'must not be empty');
      for (const arn of t.resourceArns!) {
        if (type.arns && !type.arns.some((shape) => arnMatches(arn, shape.service, shape.resource))) {
          this.report(field('resourceArns'), `contains ${quote(arn)}, which is not an ${t.resourceType} ARN`);
        }
      }
    }
    if (hasTags && Object.keys(t.resourceTags!).length === 0) {
      this.report(field('resourceTags'), 'must not be empty');
    }
  }

  private action(name: string, a: TemplateAction): void {
    const field = (...member: string[]): FieldPath => ['actions', name, ...member];
    this.startAfter(name, a);
    if (!a.actionId) {
      this.report(field('actionId'), 'is required');
      return;
    }
    const spec = catalogAction(a.actionId);
    if (!spec) {
      this.report(field('actionId'), unknownName('action', a.actionId, CATALOG.actions), 'plain', 'unknown');
      return;
    }
    const runtime = this.deps.runtime;
    const modelled = runtime?.action(a.actionId);
    if (runtime && !modelled) {
      this.report(field('actionId'), notModelled('action', a.actionId, runtime), 'plain', 'runtime');
    }
    const params = a.parameters ?? {};
    this.parameters(field('parameters'), params, spec.parameters, a.actionId);
    for (const problem of modelled?.checkParameters?.(params) ?? []) {
      this.report(
        field(...problem.path.map(String)),
        problem.detail,
        problem.path.length ? 'plain' : 'colon',
      );
    }
    this.actionTargets(name, a, spec);
  }

  /** Parameters of an action or a target: known names, required ones present, values well written. */
  private parameters(
    at: FieldPath,
    given: Record<string, string>,
    specs: Record<string, ParameterEntry>,
    owner: string,
  ): void {
    const known = Object.keys(specs);
    for (const [key, value] of Object.entries(given)) {
      const p = Object.hasOwn(specs, key) ? specs[key] : undefined;
      if (!p) {
        const guess = closest(key, known);
        this.report(
          [...at, key],
          `is not a parameter of ${owner}${guess ? ` (did you mean ${guess}?)` : ''}${known.length > 0 ? `; valid parameters: ${known.join(', ')}` : ' (it takes none)'}`,
        );
        continue;
      }
      const problem = p.format && valueProblem(p.format, value);
      if (problem) this.report([...at, key], problem);
      const dependency = p.requiredWith;
      if (dependency && !dependency.values.includes(given[dependency.parameter] ?? '')) {
        this.report(
          [...at, key],
          `is only allowed when ${dependency.parameter} is ${dependency.values.join(' or ')}`,
        );
      }
    }
    for (const [key, p] of Object.entries(specs)) {
      if (given[key] !== undefined) continue;
      const dependency = p.requiredWith;
      if (p.required) {
        this.report([...at, key], `is required by ${owner}`);
      } else if (dependency?.values.includes(given[dependency.parameter] ?? '')) {
        this.report(
          [...at, key],
          `is required by ${owner} when ${dependency!.parameter} is ${given[dependency!.parameter]}`,
        );
      }
    }
  }

  private actionTargets(name: string, a: TemplateAction, spec: ActionEntry): void {
    const field = (...member: string[]): FieldPath => ['actions', name, ...member];
    const targets = a.targets ?? {};
    const keys = Object.keys(spec.targets);
    // A key it does not take, close to one it needs but lacks, is that one misspelt: told once.
    const missing = new Set(keys.filter((k) => targets[k] === undefined));
    for (const [key, targetName] of Object.entries(targets)) {
      const wantedType = Object.hasOwn(spec.targets, key) ? spec.targets[key] : undefined;
      if (!wantedType) {
        const guess = closest(key, missing);
        if (guess) missing.delete(guess);
        // FIS's own words (ValidationException of CreateExperimentTemplate).
        this.found.push({
          path: field('targets', key),
          detail: `is not a target of ${a.actionId}${guess ? ` (did you mean ${guess}?)` : ''}; ${keys.length > 0 ? `it takes ${keys.map((k) => `${quote(k)}`).join(', ')}` : 'it takes no targets'}`,
          fisMessage: `Unexpected target "${key}" found in action "${name}".`,
          kind: 'rule',
        });
        continue;
      }
      const target = Object.hasOwn(this.t.targets, targetName) ? this.t.targets[targetName] : undefined;
      if (!target) {
        this.report(
          field('targets', key),
          `names target ${quote(targetName)}, which is not defined in 'targets'`,
        );
      } else if (target.resourceType !== wantedType) {
        this.report(
          field('targets', key),
          `names target ${quote(targetName)} of resource type ${target.resourceType}, but ${a.actionId} needs ${wantedType}`,
        );
      }
    }
    for (const key of missing) {
      this.report(field('targets', key), `is required by ${a.actionId} (a ${spec.targets[key]} target)`);
    }
  }

  private startAfter(name: string, a: TemplateAction): void {
    for (const before of a.startAfter ?? []) {
      if (before === name) this.report(['actions', name, 'startAfter'], 'names the action itself');
      else if (!Object.hasOwn(this.t.actions, before)) {
        this.report(
          ['actions', name, 'startAfter'],
          `names action ${quote(before)}, which is not defined in 'actions'`,
        );
      }
    }
  }

  /** The targets that only actions the runtime does not model use. */
  private unmodelledActionTargets(): Set<string> {
    const runtime = this.deps.runtime;
    const used = new Map<string, boolean>();
    if (!runtime) return new Set();
    for (const a of Object.values(this.t.actions)) {
      const modelled = !catalogAction(a.actionId) || runtime.action(a.actionId) !== undefined;
      for (const target of Object.values(a.targets ?? {})) {
        used.set(target, (used.get(target) ?? false) || modelled);
      }
    }
    return new Set([...used].filter(([, byModelled]) => !byModelled).map(([target]) => target));
  }
}

/** "aws:ec2:explode is not a FIS action (did you mean …?)", with the service's own when it has some. */
function unknownName(what: 'action' | 'resource type', id: string, known: Record<string, unknown>): string {
  const ids = Object.keys(known);
  const guess = closest(id, ids, 3);
  if (guess) return `${id} is not a FIS ${what} (did you mean ${guess}?)`;
  const service = /^(aws:[a-z0-9-]+):/.exec(id)?.[1];
  const same = service ? ids.filter((k) => k.startsWith(`${service}:`)) : [];
  const catalog = `FIS's catalog of ${CATALOG.takenAt}`;
  return same.length > 0
    ? `${id} is not a FIS ${what}; ${catalog} has for ${service}: ${same.map((k) => k.slice(service!.length + 1)).join(', ')}`
    : `${id} is not a FIS ${what}: it is not in ${catalog} (faultline fis-catalog refresh --aws reads it anew)`;
}

/** "aws:ecs:stop-task runs on AWS only: the sandbox does not model it". */
function notModelled(what: 'action' | 'resource type', id: string, runtime: FisRuntime): string {
  return `${id} is a FIS ${what} ${runtime.name} does not model; it runs on AWS${runtime.onAws ? ` (${runtime.onAws})` : ''}`;
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
      // An action naming itself is told on its own.
      if (before === name) continue;
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
