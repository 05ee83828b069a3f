import {
  actionInput,
  filterInput,
  stopConditionInput,
  targetInput,
  templateName,
} from '../fis/template-input.ts';
import { quote } from '../input/quote.ts';
import * as z from '../zod.ts';
import type { AlarmLookup } from './alarm-lookup.ts';
import { ExperimentFileError, errorAt } from './errors.ts';
import { describeIssue, type FieldIssue } from './field-issue.ts';
import { templatePathOf } from './field-names.ts';
import { findExperimentProblem, findUnknownAlarm } from './rules.ts';
import { type ExperimentInput, type ExperimentSpec, experimentSchema } from './schema.ts';
import { readSource } from './source.ts';
import { plainSource, type SourceDocument } from './source-document.ts';

/**
 * A FIS experiment template as the console exports it, `aws fis get-experiment-template` prints
 * it (inside `experimentTemplate`), or a template library keeps it. Strict, so a misspelt member
 * is an error; the members that belong to one account or one stored copy are accepted and
 * ignored: faultline creates the template with its own role, client token and tags.
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
  tags: z.optional(z.record(z.string(), z.string())),
  roleArn: z.optional(z.string()),
  clientToken: z.optional(z.unknown()),
  id: z.optional(z.unknown()),
  arn: z.optional(z.unknown()),
  creationTime: z.optional(z.unknown()),
  lastUpdateTime: z.optional(z.unknown()),
  logConfiguration: z.optional(z.unknown()),
  experimentReportConfiguration: z.optional(z.unknown()),
  targetAccountConfigurationsCount: z.optional(z.unknown()),
});

type TemplateFile = z.output<typeof templateFile>;

/** What the side file may say: everything about the game day that a FIS template does not. */
const FROM_TEMPLATE = ['fault', 'stopConditions'];
const SIDE_FIELDS = Object.keys(experimentSchema.shape).filter((k) => !FROM_TEMPLATE.includes(k));

/** The region and account in an alarm ARN may be placeholders (`<ACCOUNT_ID>`): only the name is kept. */
const ALARM_ARN = /^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/;

export interface ImportOptions {
  alarms?: AlarmLookup;
}

/**
 * An existing FIS template (JSON) and a side file (YAML: name, service, objectives, hypothesis,
 * guardrails, schedule) as one experiment, checked exactly as an experiment file is: a template
 * FIS would refuse is refused here, before anything starts, with the template's member named.
 */
export async function importTemplateFile(
  templateFile: string,
  sideFile: string,
  opts: ImportOptions = {},
): Promise<ExperimentSpec> {
  const template = await readSource(templateFile, 'json');
  const side = await readSource(sideFile, 'yaml');
  const { spec, errorIn } = importSources(template, side);
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
): ExperimentSpec {
  return importSources(
    plainSource(names.template ?? 'template', template),
    plainSource(names.spec ?? 'spec', side),
  ).spec;
}

function importSources(
  templateSource: SourceDocument,
  side: SourceDocument,
): { spec: ExperimentSpec; errorIn: (issue: FieldIssue) => ExperimentFileError } {
  const tpl = unwrap(templateSource);
  const parsed = templateFile.safeParse(tpl.data, { reportInput: true });
  if (!parsed.success) throw errorAt(tpl, describeIssue(parsed.error, templateFile));
  const t = parsed.data;

  const sideData = side.data ?? {};
  if (!isMap(sideData)) {
    throw new ExperimentFileError(side.file, `must be a map of fields (${SIDE_FIELDS.join(', ')})`);
  }
  const unknownKey = Object.keys(sideData).find((k) => !SIDE_FIELDS.includes(k));
  if (unknownKey) {
    throw errorAt(side, {
      path: [unknownKey],
      detail: `is not a field of a template's side file, which takes: ${SIDE_FIELDS.join(', ')}${FROM_TEMPLATE.includes(unknownKey) ? ` (${unknownKey} come from the template)` : ''}`,
    });
  }
  const sideFields = sideData;

  const { stopConditions, stopConditionIndex } = alarmNames(t, tpl);
  const sideTags = sideFields.tags;
  const input = {
    ...sideFields,
    description: sideFields.description ?? t.description,
    fault: faultOf(t, tpl),
    stopConditions,
    // Tags the template had stay, but for faultline's own, which compiling writes afresh.
    tags: isMap(sideTags) || sideTags === undefined ? { ...ownTagsRemoved(t.tags), ...sideTags } : sideTags,
  } as ExperimentInput;

  // A problem in a field the template gave is the template's, under its own member name; the rest is the side file's.
  const errorIn = (issue: FieldIssue): ExperimentFileError => {
    const [head, key] = issue.path;
    const fromSide =
      (head === 'description' && sideFields.description !== undefined) ||
      (head === 'tags' &&
        typeof key === 'string' &&
        isMap(sideFields.tags) &&
        sideFields.tags[key] !== undefined);
    const templatePath = fromSide
      ? undefined
      : head === 'description' || head === 'tags'
        ? issue.path
        : templatePathOf(issue.path, {
            filterIndex: (target, filterPath) => {
              const i = t.targets?.[target]?.filters?.findIndex((f) => f.path === filterPath);
              return i === undefined || i < 0 ? undefined : i;
            },
            stopConditionIndex,
          });
    return templatePath ? errorAt(tpl, { path: templatePath, detail: issue.detail }) : errorAt(side, issue);
  };

  const result = experimentSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw errorIn(describeIssue(result.error, experimentSchema));
  const problem = findExperimentProblem(result.data);
  if (problem) throw errorIn(problem);
  return { spec: result.data, errorIn };
}

function faultOf(t: TemplateFile, source: SourceDocument) {
  return {
    targets: Object.fromEntries(
      Object.entries(t.targets ?? {}).map(([name, target]) => [name, targetOf(name, target, source)]),
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

function targetOf(name: string, t: NonNullable<TemplateFile['targets']>[string], source: SourceDocument) {
  const filters: Record<string, string | string[]> = {};
  (t.filters ?? []).forEach((f, i) => {
    if (filters[f.path] !== undefined) {
      throw errorAt(source, {
        path: ['targets', name, 'filters', i, 'path'],
        detail: `filters on ${f.path} a second time; give all its values in one filter`,
      });
    }
    filters[f.path] = f.values.length === 1 ? f.values[0]! : f.values;
  });
  return dropUndefined({
    type: t.resourceType,
    tags: t.resourceTags,
    arns: t.resourceArns,
    filters: t.filters && t.filters.length > 0 ? filters : undefined,
    select: t.selectionMode,
    parameters: t.parameters,
  });
}

/** Stop-condition alarm ARNs become alarm names; `none` conditions are dropped. */
function alarmNames(t: TemplateFile, source: SourceDocument) {
  const stopConditions: string[] = [];
  const positions: number[] = [];
  t.stopConditions.forEach((c, i) => {
    if (c.source === 'none') return;
    if (c.source !== 'aws:cloudwatch:alarm') {
      throw errorAt(source, {
        path: ['stopConditions', i, 'source'],
        detail: `must be aws:cloudwatch:alarm or none (got ${quote(c.source)})`,
      });
    }
    const name = ALARM_ARN.exec(c.value ?? '')?.[1];
    if (!name) {
      throw errorAt(source, {
        path: ['stopConditions', i, 'value'],
        detail: `must be a CloudWatch alarm ARN, arn:aws:cloudwatch:<region>:<account>:alarm:<name> (got ${c.value === undefined ? 'nothing' : quote(c.value)})`,
      });
    }
    stopConditions.push(name);
    positions.push(i);
  });
  return { stopConditions, stopConditionIndex: (i: number) => positions[i] };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
