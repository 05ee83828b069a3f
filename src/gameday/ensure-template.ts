import {
  CreateExperimentTemplateCommand,
  type CreateExperimentTemplateCommandInput,
  type ExperimentTemplateSummary,
  type FisClient,
  GetExperimentTemplateCommand,
  ListExperimentTemplatesCommand,
  TagResourceCommand,
  UpdateExperimentTemplateCommand,
} from '@aws-sdk/client-fis';
import { awsCall } from '../aws/errors.ts';
import {
  type CompileContext,
  compileTemplate,
  TAG_DIGEST,
  TAG_EXPERIMENT,
  templateUpdate,
} from '../experiments/compile.ts';
import type * as z from '../zod.ts';
import { ConfigurationError } from './deps.ts';
import { eventIds } from './record.ts';
import type { GameDayState, templateResult } from './state.ts';
import { gameDayStep } from './step.ts';

export type TemplateResult = z.infer<typeof templateResult>;

/** `arn:aws:iam::123456789012:role/x` → `123456789012`. */
export function accountOf(roleArn: string): string {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/.+$/.exec(roleArn);
  if (!m) {
    throw new ConfigurationError(
      `FAULTLINE_FIS_ROLE_ARN: '${roleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  }
  return m[1]!;
}

/** The pinned FIS client does not return template ARNs; FIS builds them like this. */
export function templateArn(id: string, ctx: CompileContext): string {
  const partition = /^arn:(aws[a-z-]*):/.exec(ctx.roleArn)?.[1] ?? 'aws';
  return `arn:${partition}:fis:${ctx.region}:${ctx.accountId}:experiment-template/${id}`;
}

async function templatesOf(fis: FisClient, experiment: string): Promise<ExperimentTemplateSummary[]> {
  const out: ExperimentTemplateSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('list experiment templates', () =>
      fis.send(new ListExperimentTemplatesCommand({ maxResults: 100, nextToken })),
    );
    out.push(...(page.experimentTemplates ?? []).filter((t) => t.tags?.[TAG_EXPERIMENT] === experiment));
    nextToken = page.nextToken;
  } while (nextToken);
  // Should there be several, the oldest is the one: the same choice on every run.
  return out.sort(
    (a, b) => (a.creationTime?.getTime() ?? 0) - (b.creationTime?.getTime() ?? 0) || (a.id! < b.id! ? -1 : 1),
  );
}

/**
 * Makes FIS hold the experiment's current template: found by its `faultline:experiment` tag,
 * reused when its `faultline:digest` tag matches the compiled one, updated when it does not,
 * created (with the compiled client token, derived from name and digest) when there is none.
 */
export async function ensureTemplate(
  fis: FisClient,
  compiled: CreateExperimentTemplateCommandInput,
  ctx: CompileContext,
): Promise<TemplateResult> {
  const name = compiled.tags?.[TAG_EXPERIMENT];
  const digest = compiled.tags?.[TAG_DIGEST];
  if (!name || !digest)
    throw new Error(`the compiled template lacks its ${TAG_EXPERIMENT} or ${TAG_DIGEST} tag`);
  const [existing] = await templatesOf(fis, name);
  if (!existing) {
    const out = await awsCall('create experiment template', () =>
      fis.send(new CreateExperimentTemplateCommand(compiled)),
    );
    return { templateId: out.experimentTemplate!.id!, action: 'created' };
  }
  const templateId = existing.id!;
  if (existing.tags?.[TAG_DIGEST] === digest) return { templateId, action: 'unchanged' };
  const current = await awsCall('get experiment template', () =>
    fis.send(new GetExperimentTemplateCommand({ id: templateId })),
  );
  const update = templateUpdate(current.experimentTemplate!, compiled);
  if (update)
    await awsCall('update experiment template', () => fis.send(new UpdateExperimentTemplateCommand(update)));
  // The digest tag moves last: should this fail, the next run sees the old digest and updates again.
  await awsCall('tag experiment template', () =>
    fis.send(new TagResourceCommand({ resourceArn: templateArn(templateId, ctx), tags: compiled.tags })),
  );
  return { templateId, action: 'updated' };
}

/** EnsureTemplate: the experiment compiled for this account and region, then made to exist in FIS. */
export const ensureTemplateStep = gameDayStep<GameDayState, TemplateResult, 'fis'>(
  { step: 'EnsureTemplate' },
  async (state, deps, { timeline }) => {
    const roleArn = deps.env.fisRoleArn;
    const region = await deps.aws.fis.config.region();
    const ctx = { region, accountId: accountOf(roleArn), roleArn };
    const result = await ensureTemplate(deps.aws.fis, compileTemplate(state.experiment, ctx), ctx);
    await timeline.record('fis.template', {
      eventId: eventIds.template(result.templateId, result.action),
      occurredAt: deps.now(),
      summary: `FIS template ${result.templateId} ${result.action} for experiment ${state.experiment.name}`,
      detail: { templateId: result.templateId, action: result.action, experiment: state.experiment.name },
    });
    return result;
  },
);
