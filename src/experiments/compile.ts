import { createHash } from 'node:crypto';
import type {
  CreateExperimentTemplateCommandInput,
  ExperimentTemplate,
  UpdateExperimentTemplateCommandInput,
} from '@aws-sdk/client-fis';
import { findCreateInputProblem } from '../fis/check-create-input.ts';
import { canonicalContent, sortedMap, type TemplateContent } from './canonical.ts';
import { ExperimentFileError } from './errors.ts';
import { specPathOf } from './field-names.ts';
import { faultlineDetail } from './fis-problem.ts';
import type { ExperimentSpec } from './schema.ts';

/** Where the template is created: the alarms' region and account, and the role FIS acts with. */
export interface CompileContext {
  region: string;
  accountId: string;
  roleArn: string;
}

export const TAG_EXPERIMENT = 'faultline:experiment';
export const TAG_SERVICE = 'faultline:service';
export const TAG_DIGEST = 'faultline:digest';

/** The CreateExperimentTemplate input an experiment compiles to, checked against FIS's rules. */
export function compileTemplate(
  spec: ExperimentSpec,
  ctx: CompileContext,
): CreateExperimentTemplateCommandInput {
  const input = buildTemplate(spec, ctx);
  const problem = findCreateInputProblem(input);
  if (problem) {
    // The file was checked when it was loaded; this catches a bad context (role) or an unchecked spec.
    const path = specPathOf(problem.path, spec, input);
    throw new ExperimentFileError(
      `experiment ${spec.name}`,
      path ? faultlineDetail(problem) : problem.fisMessage,
      {
        path: path ?? [],
      },
    );
  }
  return input;
}

/**
 * The same experiment always gives the same bytes: content in canonical order (canonical.ts),
 * tags sorted, and a digest of that content in the tags and the client token, so that a changed
 * file is told apart from an unchanged one and a retried create never makes a second template.
 */
export function buildTemplate(
  spec: ExperimentSpec,
  ctx: CompileContext,
): CreateExperimentTemplateCommandInput {
  const content = canonicalContent({
    description: spec.description,
    targets: Object.fromEntries(
      Object.entries(spec.fault.targets).map(([name, t]) => [
        name,
        {
          resourceType: t.type,
          resourceArns: t.arns,
          resourceTags: t.tags,
          filters: Object.entries(t.filters ?? {}).map(([path, v]) => ({
            path,
            values: typeof v === 'string' ? [v] : v,
          })),
          selectionMode: t.select,
          parameters: t.parameters,
        },
      ]),
    ),
    actions: Object.fromEntries(
      Object.entries(spec.fault.actions).map(([name, a]) => [
        name,
        {
          actionId: a.action,
          description: a.description,
          parameters: a.parameters,
          targets: a.targets,
          startAfter: a.startAfter,
        },
      ]),
    ),
    stopConditions: spec.stopConditions.map((alarm) => ({
      source: 'aws:cloudwatch:alarm',
      value: alarmArn(alarm, ctx),
    })),
    roleArn: ctx.roleArn,
    experimentOptions: { emptyTargetResolutionMode: spec.fault.emptyTargets },
  });
  const ownTags = { ...spec.tags, [TAG_EXPERIMENT]: spec.name, [TAG_SERVICE]: spec.service };
  const digest = digestOf(content, ownTags);
  return {
    clientToken: `faultline-${spec.name}-${digest}`,
    ...templateMembers(content),
    tags: sortedMap({ ...ownTags, [TAG_DIGEST]: digest }, (v) => v),
    experimentOptions: {
      accountTargeting: 'single-account',
      emptyTargetResolutionMode: content.emptyTargetResolutionMode,
    },
  };
}

/** A short hash of what the template does and is tagged with; 16 hex digits. */
function digestOf(content: TemplateContent, tags: Record<string, string>): string {
  const text = JSON.stringify({ content, tags: sortedMap(tags, (v) => v) });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function templateMembers(c: TemplateContent) {
  return {
    description: c.description,
    targets: c.targets,
    actions: c.actions,
    stopConditions: c.stopConditions,
    roleArn: c.roleArn,
  };
}

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`, in the role's partition (aws, aws-cn, …). */
export function alarmArn(name: string, ctx: CompileContext): string {
  const partition = /^arn:(aws[\w-]*):/.exec(ctx.roleArn)?.[1] ?? 'aws';
  return `arn:${partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}`;
}

/**
 * What to send to bring an existing template in line with the compiled one, or undefined when
 * it already says the same. UpdateExperimentTemplate replaces each member it is given as a whole,
 * so every member is sent. It does not touch tags: after an update, tag the template with the
 * compiled `tags` (TagResource) so that its `faultline:digest` follows.
 */
export function templateUpdate(
  existing: ExperimentTemplate,
  compiled: CreateExperimentTemplateCommandInput,
): UpdateExperimentTemplateCommandInput | undefined {
  const want = canonicalContent(compiled);
  if (JSON.stringify(canonicalContent(existing)) === JSON.stringify(want)) return undefined;
  return {
    id: existing.id,
    ...templateMembers(want),
    experimentOptions: { emptyTargetResolutionMode: want.emptyTargetResolutionMode },
  };
}
