import { basename } from 'node:path';
import { type FieldPath, formatFieldPath, PROBLEM_RANK } from '../fis/problem.ts';
import type { FisRuntime } from '../fis/runtime.ts';
import {
  actionInput,
  filterInput,
  logConfigurationInput,
  mapValues,
  stopConditionInput,
  tagMap,
  targetInput,
  templateName,
} from '../fis/template-input.ts';
import { findTemplateProblems } from '../fis/template-rules.ts';
import * as z from '../zod.ts';
import type { AlarmLookup } from './alarm-lookup.ts';
import { ExperimentFileError, ExperimentProblems, errorAt } from './errors.ts';
import { describeIssues, type FieldIssue, fieldsBeside } from './field-issue.ts';
import { templatePathOf } from './field-names.ts';
import { findExperimentProblem, findUnknownAlarm } from './rules.ts';
import { type ExperimentInput, type ExperimentSpec, experimentSchema } from './schema.ts';
import { readSource } from './source.ts';
import { plainSource, type SourceDocument } from './source-document.ts';

/**
 * A FIS experiment template as the console exports it, `aws fis get-experiment-template` prints
 * it (inside `experimentTemplate`), or a template library keeps it. Strict, so that a misspelt
 * member is an error; a member FIS does not have at all is left out with a note (FIS never sees
 * it: the SDKs drop it). The members that belong to one account or one stored copy are accepted
 * and not carried over: faultline creates the template with its own role, client token and tags.
 */
const templateFile = z.strictObject({
  description: z.optional(z.string().check(z.maxLength(512))),
  targets: z.optional(
    z.record(
      templateName,
      z.strictObject({
        ...targetInput.shape,
        filters: z.optional(z.array(z.strictObject(filterInput.shape))),
      }),
    ),
  ),
  actions: z.record(templateName, z.strictObject(actionInput.shape)),
  stopConditions: z.array(z.strictObject(stopConditionInput.shape)),
  experimentOptions: z.optional(
    z.strictObject({
      accountTargeting: z.optional(
        z.literal('single-account', {
          error: 'must be single-account: faultline runs experiments in one account',
        }),
      ),
      emptyTargetResolutionMode: z.optional(z.enum(['fail', 'skip'])),
    }),
  ),
  tags: z.optional(tagMap),
  roleArn: z.optional(z.string()),
  logConfiguration: z.optional(logConfigurationInput),
  clientToken: z.optional(z.unknown()),
  id: z.optional(z.unknown()),
  arn: z.optional(z.unknown()),
  creationTime: z.optional(z.unknown()),
  lastUpdateTime: z.optional(z.unknown()),
  experimentReportConfiguration: z.optional(z.unknown()),
  targetAccountConfigurationsCount: z.optional(z.unknown()),
});

type TemplateFile = z.output<typeof templateFile>;

/** Members of a stored template that faultline does not carry over, and why. */
const NOT_CARRIED: Record<string, string> = {
  logConfiguration: 'faultline creates the template without experiment logging',
  experimentReportConfiguration: 'faultline writes its own report',
};

/** What the side file may say: everything about the game day that a FIS template does not. */
const FROM_TEMPLATE = ['fault', 'imported'];
const SIDE_FIELDS = Object.keys(experimentSchema.shape).filter((k) => !FROM_TEMPLATE.includes(k));

/** The region and account in an alarm ARN may be placeholders (`<ACCOUNT_ID>`): only the name is kept. */
const ALARM_ARN = /^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/;

/** Any role: faultline creates the template with its own, so the template's (a placeholder, often) is not checked. */
const ANY_ROLE = 'arn:aws:iam::000000000000:role/faultline-fis';

/** The tag a target names its service by (`Service: checkout`), whatever its case. */
const SERVICE_TAG = /^service$/i;

export interface ImportOptions {
  alarms?: AlarmLookup;
  /** Where it will run when that is not AWS (the sandbox): refuse what that runtime does not model. */
  runtime?: FisRuntime;
}

/**
 * An existing FIS template (JSON) and an optional side file (YAML: name, service, objectives,
 * hypothesis, guardrails, schedule, stop conditions) as one experiment, checked as an experiment
 * file is: what FIS would refuse is refused here, before anything starts, naming the template's
 * member. Every problem of both files is reported at once, an unknown action first. What the side
 * file leaves out is inferred where the template tells (the service from its targets' tags, the
 * hypothesis from its stop-condition alarms, the stop conditions from the hypothesis when the
 * template has none); the experiment's `imported` says what was, and from where.
 */
export async function importTemplateFile(
  templateFile: string,
  sideFile: string | undefined,
  opts: ImportOptions = {},
): Promise<ExperimentSpec> {
  const template = await readSource(templateFile, 'json');
  const side = sideFile === undefined ? undefined : await readSource(sideFile, 'yaml');
  const { spec, errorIn } = importSources(template, side, opts);
  if (opts.alarms) {
    const unknown = await findUnknownAlarm(spec, opts.alarms);
    if (unknown) throw errorIn(unknown);
  }
  return spec;
}

/** importTemplateFile on data already in memory (the template object and the side file's object). */
export function importTemplate(
  template: unknown,
  side: unknown,
  names: { template?: string; spec?: string } = {},
  opts: Pick<ImportOptions, 'runtime'> = {},
): ExperimentSpec {
  return importSources(
    plainSource(names.template ?? 'template', template),
    side === undefined ? undefined : plainSource(names.spec ?? 'spec', side),
    opts,
  ).spec;
}

/** Problems found so far, in the order they are told: FIS's unknown actions and types first. */
class Problems {
  private readonly found: { error: ExperimentFileError; rank: number }[] = [];

  /** Without a rank, after FIS's rules: the template's shape, the side file. */
  add(error: ExperimentFileError, rank = PROBLEM_RANK.rule + 1): void {
    this.found.push({ error, rank });
  }

  /** Throws every problem, the most telling first, when there is any. */
  throwIfAny(): void {
    if (this.found.length === 0) return;
    const sorted = [...this.found].sort((a, b) => a.rank - b.rank).map((f) => f.error);
    throw sorted.length === 1 ? sorted[0]! : new ExperimentProblems(sorted);
  }
}

function importSources(
  templateSource: SourceDocument,
  sideSource: SourceDocument | undefined,
  opts: Pick<ImportOptions, 'runtime'>,
): { spec: ExperimentSpec; errorIn: (issue: FieldIssue) => ExperimentFileError } {
  const tpl = unwrap(templateSource);
  const problems = new Problems();
  const notes: string[] = [];

  const side = sideFields(sideSource, problems);
  const t = readTemplate(tpl, problems, notes);
  const ruled = t ? findTemplateProblems(bodyOf(t), { runtime: opts.runtime }) : [];
  for (const p of ruled) problems.add(errorAt(tpl, p), PROBLEM_RANK[p.kind]);
  const templateIsValid = t !== undefined && ruled.length === 0;
  const stop = t ? stopConditionsOf(t, tpl, side, sideSource, problems) : undefined;
  const inferred = inferFromTemplate(t, tpl, side, stop);
  notes.unshift(...(stop?.notes ?? []), ...inferred.notes);

  const sideTags = side.tags;
  const input = {
    ...side,
    ...inferred.fields,
    description: side.description ?? t?.description,
    fault: t && faultOf(t, tpl, problems),
    stopConditions: stop?.names ?? [],
    // Tags the template had stay, but for faultline's own, which compiling writes afresh.
    tags: isMap(sideTags) || sideTags === undefined ? { ...ownTagsRemoved(t?.tags), ...sideTags } : sideTags,
    imported: { template: tpl.file, stopConditionsFrom: stop?.from ?? 'template', notes },
  } as ExperimentInput;

  // A problem in a field the template gave is the template's, under its own member name; the rest is the side file's.
  const errorIn = (issue: FieldIssue): ExperimentFileError => {
    const [head, key] = issue.path;
    const fromSide =
      (head === 'description' && side.description !== undefined) ||
      (head === 'stopConditions' && stop !== undefined && stop.from !== 'template') ||
      (head === 'tags' && typeof key === 'string' && isMap(side.tags) && side.tags[key] !== undefined);
    const templatePath = fromSide
      ? undefined
      : head === 'description' || head === 'tags'
        ? issue.path
        : templatePathOf(issue.path, {
            filterIndex: (target, filterPath) => {
              const i = t?.targets?.[target]?.filters?.findIndex((f) => f.path === filterPath);
              return i === undefined || i < 0 ? undefined : i;
            },
            stopConditionIndex: (i) => stop?.index(i),
          });
    if (templatePath) return errorAt(tpl, { path: templatePath, detail: issue.detail });
    if (sideSource) return errorAt(sideSource, issue);
    // No side file: what it would have said is missing from the template's game day.
    const hint =
      issue.detail === 'is required' ? NO_SIDE_FILE : issue.detail.startsWith('is required:') ? GIVE_IT : '';
    return new ExperimentFileError(tpl.file, `${issue.detail}${hint}`, { path: issue.path });
  };

  const result = experimentSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    for (const issue of describeIssues(result.error.issues, experimentSchema)) {
      // What the template says was checked by FIS's rules above, and a template without an
      // alarm was told so: do not tell it twice.
      if (issue.path[0] === 'fault' && !templateIsValid) continue;
      if (issue.path[0] === 'stopConditions' && (!templateIsValid || stop === undefined)) continue;
      problems.add(errorIn(withInferenceHint(issue, t, stop)));
    }
  }
  problems.throwIfAny();
  const spec = result.data!;
  const problem = findExperimentProblem(spec, { runtime: opts.runtime });
  if (problem) throw errorIn(problem);
  return { spec, errorIn };
}

const NO_SIDE_FILE = ' (the template cannot say it: give it in a side file, --spec)';
const GIVE_IT = '; give it in a side file (--spec)';

/** The side file's fields, or none; a side file that is not a map of its fields is a problem. */
function sideFields(side: SourceDocument | undefined, problems: Problems): Record<string, unknown> {
  if (!side) return {};
  const data = side.data ?? {};
  if (!isMap(data)) {
    problems.add(new ExperimentFileError(side.file, `must be a map of fields (${SIDE_FIELDS.join(', ')})`));
    return {};
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (SIDE_FIELDS.includes(key)) {
      fields[key] = value;
      continue;
    }
    problems.add(
      errorAt(side, {
        path: [key],
        detail: `is not a field of a template's side file, which takes: ${SIDE_FIELDS.join(', ')}${key === 'fault' ? ' (fault comes from the template)' : ''}`,
      }),
    );
  }
  return fields;
}

/**
 * The template's members, its shape checked. A member FIS does not have is left out with a note
 * (the SDKs and FIS's API never see it) unless it looks like a misspelt one, which is an error.
 */
function readTemplate(tpl: SourceDocument, problems: Problems, notes: string[]): TemplateFile | undefined {
  const parsed = templateFile.safeParse(tpl.data, { reportInput: true });
  if (parsed.success) return carried(parsed.data, notes);
  let errors = 0;
  const leftOut: FieldPath[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const at = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    for (const key of issue.keys) {
      const { known, guess } = fieldsBeside(at, key, templateFile);
      const path = [...at, key];
      if (guess || !known) {
        errors++;
        problems.add(
          errorAt(tpl, {
            path,
            detail: `is not a member of a FIS template${guess ? ` (did you mean ${guess}?)` : ''}${known ? `; ${at.length ? `${String(at.at(-1))} takes` : 'a template takes'}: ${known.join(', ')}` : ''}`,
          }),
        );
      } else {
        leftOut.push(path);
        notes.push(
          `Left out ${formatFieldPath(path)}: FIS templates have no such member (FIS would not see it; the AWS CLI refuses it).`,
        );
      }
    }
  }
  const others = parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');
  if (others.length > 0 || errors > 0) {
    for (const issue of describeIssues(others, templateFile)) problems.add(errorAt(tpl, issue));
    return undefined;
  }
  // Only members FIS does not have: read the template without them.
  return carried(z.parse(templateFile, withoutMembers(tpl.data, leftOut)), notes);
}

/** A copy of `data` without the members at `paths`. */
function withoutMembers(data: unknown, paths: FieldPath[]): unknown {
  const copy = structuredClone(data);
  for (const path of paths) {
    let at: unknown = copy;
    for (const key of path.slice(0, -1)) at = (at as Record<string | number, unknown>)[key];
    delete (at as Record<string | number, unknown>)[path.at(-1)!];
  }
  return copy;
}

/** Notes the stored members faultline does not carry over. */
function carried(t: TemplateFile, notes: string[]): TemplateFile {
  for (const [member, why] of Object.entries(NOT_CARRIED)) {
    if (t[member as keyof TemplateFile] !== undefined) notes.push(`Not carried over: ${member} (${why}).`);
  }
  return t;
}

/** The template as CreateExperimentTemplate would send it, with faultline's role and well-formed alarm ARNs. */
function bodyOf(t: TemplateFile) {
  return {
    description: t.description ?? '',
    targets: mapValues(t.targets ?? {}, (target) => dropUndefined({ ...target })),
    actions: mapValues(t.actions, (a) => dropUndefined({ ...a })),
    stopConditions: t.stopConditions.map((c) => {
      const name = ALARM_ARN.exec(c.value ?? '')?.[1];
      return c.source === 'aws:cloudwatch:alarm' && name
        ? { source: c.source, value: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}` }
        : dropUndefined({ ...c });
    }),
    roleArn: ANY_ROLE,
    experimentOptions: {
      accountTargeting: 'single-account' as const,
      emptyTargetResolutionMode: t.experimentOptions?.emptyTargetResolutionMode ?? 'fail',
    },
  };
}

interface StopConditions {
  names: string[];
  from: 'template' | 'side file' | 'hypothesis';
  /** The template's position of the n-th alarm, when they came from the template. */
  index: (i: number) => number | undefined;
  notes: string[];
}

/**
 * The alarms that stop the fault: the template's; when it names none (`source: none`), the side
 * file's `stopConditions`, else its hypothesis's alarms. A fault must always have a way to stop.
 */
function stopConditionsOf(
  t: TemplateFile,
  tpl: SourceDocument,
  side: Record<string, unknown>,
  sideSource: SourceDocument | undefined,
  problems: Problems,
): StopConditions | undefined {
  const names: string[] = [];
  const positions: number[] = [];
  t.stopConditions.forEach((c, i) => {
    const name = c.source === 'aws:cloudwatch:alarm' ? ALARM_ARN.exec(c.value ?? '')?.[1] : undefined;
    if (name) {
      names.push(name);
      positions.push(i);
    }
  });
  if (names.length > 0) {
    if (side.stopConditions !== undefined && sideSource) {
      problems.add(
        errorAt(sideSource, {
          path: ['stopConditions'],
          detail: `is not allowed: the template's stop conditions name alarms (${names.join(', ')}); the side file gives them only when the template's is none`,
        }),
      );
    }
    return { names, from: 'template', index: (i) => positions[i], notes: [] };
  }
  const none = `the template's stop condition is ${t.stopConditions.length === 0 ? 'missing' : 'none'}`;
  if (side.stopConditions !== undefined) {
    const given = Array.isArray(side.stopConditions) ? side.stopConditions.map(String) : [];
    return {
      names: given,
      from: 'side file',
      index: () => undefined,
      notes: [`Stop conditions: ${given.join(', ')} (from the side file; ${none}).`],
    };
  }
  const hypothesis = isMap(side.hypothesis) ? side.hypothesis : undefined;
  const alarms = Array.isArray(hypothesis?.alarms) ? hypothesis.alarms.map(String) : [];
  if (alarms.length > 0) {
    return {
      names: alarms,
      from: 'hypothesis',
      index: () => undefined,
      notes: [`Stop conditions: ${alarms.join(', ')} (the hypothesis's alarms; ${none}).`],
    };
  }
  const remedy = sideSource
    ? 'and the side file gives none: add stopConditions or hypothesis.alarms to it'
    : 'and there is no side file to give them (--spec, with stopConditions or hypothesis.alarms)';
  problems.add(
    errorAt(tpl, {
      path: ['stopConditions'],
      detail: `names no alarm (${none.replace("the template's stop condition is ", 'source ')}), ${remedy}; a fault must always have a way to stop`,
    }),
  );
  return undefined;
}

/** What the side file left out and the template tells: name, service, hypothesis. */
function inferFromTemplate(
  t: TemplateFile | undefined,
  tpl: SourceDocument,
  side: Record<string, unknown>,
  stop: StopConditions | undefined,
): { fields: Record<string, unknown>; notes: string[] } {
  const fields: Record<string, unknown> = {};
  const notes: string[] = [];
  if (side.name === undefined) {
    const name = nameOfFile(tpl.file);
    if (name) {
      fields.name = name;
      notes.push(`Inferred name ${name} from the template's file name.`);
    }
  }
  const service = side.service === undefined && t ? serviceOf(t) : undefined;
  if (service) {
    fields.service = service.value;
    notes.push(`Inferred service ${service.value} from the tag ${service.tag} of the template's targets.`);
  }
  if (side.hypothesis === undefined && stop?.from === 'template') {
    fields.hypothesis = { alarms: stop.names };
    notes.push(
      `Inferred the hypothesis from the template's stop conditions: ${stop.names.join(', ')} stay OK.`,
    );
  }
  return { fields, notes };
}

/** The service the targets' tags name (`Service: checkout`), when they name exactly one. */
function serviceOf(t: TemplateFile): { value: string; tag: string } | undefined {
  const found = new Map<string, string>();
  for (const target of Object.values(t.targets ?? {})) {
    for (const [key, value] of Object.entries(target.resourceTags ?? {})) {
      if (SERVICE_TAG.test(key)) found.set(value, key);
    }
  }
  const only = found.size === 1 ? [...found][0] : undefined;
  return only && { value: only[0], tag: only[1] };
}

/** A required field the template could have told but did not: say why. */
function withInferenceHint(
  issue: FieldIssue,
  t: TemplateFile | undefined,
  stop: StopConditions | undefined,
): FieldIssue {
  if (issue.detail !== 'is required' || issue.path.length !== 1 || !t) return issue;
  const why: Record<string, string | undefined> = {
    service:
      serviceOf(t) === undefined
        ? "is required: the tags of the template's targets name no single Service to infer it from"
        : undefined,
    hypothesis:
      stop?.from !== 'template'
        ? "is required: the template's stop conditions name no alarm to infer it from"
        : undefined,
  };
  const detail = why[String(issue.path[0])];
  return detail ? { path: issue.path, detail } : issue;
}

/** `ec2-spot-interruption-template.json` → `ec2-spot-interruption-template`; undefined when nothing is left. */
function nameOfFile(file: string): string | undefined {
  const name = basename(file)
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name === '' ? undefined : name;
}

function faultOf(t: TemplateFile, source: SourceDocument, problems: Problems) {
  return {
    targets: Object.fromEntries(
      Object.entries(t.targets ?? {}).map(([name, target]) => [
        name,
        targetOf(name, target, source, problems),
      ]),
    ),
    actions: Object.fromEntries(
      Object.entries(t.actions).map(([name, a]) => [
        name,
        dropUndefined({
          action: a.actionId,
          description: a.description,
          targets: a.targets,
          parameters: a.parameters,
          startAfter: a.startAfter,
        }),
      ]),
    ),
    ...(t.experimentOptions?.emptyTargetResolutionMode
      ? { emptyTargets: t.experimentOptions.emptyTargetResolutionMode }
      : {}),
  };
}

function targetOf(
  name: string,
  t: NonNullable<TemplateFile['targets']>[string],
  source: SourceDocument,
  problems: Problems,
) {
  const filters: Record<string, string | string[]> = {};
  (t.filters ?? []).forEach((f, i) => {
    if (filters[f.path] !== undefined) {
      problems.add(
        errorAt(source, {
          path: ['targets', name, 'filters', i, 'path'],
          detail: `filters on ${f.path} a second time; give all its values in one filter`,
        }),
      );
      return;
    }
    filters[f.path] = f.values.length === 1 ? f.values[0]! : f.values;
  });
  return dropUndefined({
    type: t.resourceType,
    tags: t.resourceTags,
    arns: t.resourceArns,
    filters: t.filters && t.filters.length > 0 ? filters : undefined,
    select: t.selectionMode,
    parameters: t.parameters && Object.keys(t.parameters).length > 0 ? t.parameters : undefined,
  });
}

function ownTagsRemoved(tags: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).filter(([k]) => !/^(faultline|aws):/.test(k)));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `aws fis get-experiment-template` prints `{ "experimentTemplate": { … } }`. */
function unwrap(source: SourceDocument): SourceDocument {
  const data = source.data as Record<string, unknown> | null;
  if (data && typeof data === 'object' && Object.keys(data).length === 1 && 'experimentTemplate' in data) {
    return {
      file: source.file,
      data: data.experimentTemplate,
      lineOf: (p) => source.lineOf(['experimentTemplate', ...p]),
    };
  }
  return source;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
