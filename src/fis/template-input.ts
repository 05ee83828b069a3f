import * as z from '../zod.ts';
import type { StopCondition, TemplateAction, TemplateBody, TemplateTarget } from './template.ts';

/**
 * The wire shapes of CreateExperimentTemplate and UpdateExperimentTemplate (restJson1 bodies),
 * with FIS's limits. Parse them with parseFisInput (wire-input.ts).
 */

export const templateName = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(/^\S+$/, 'must not contain whitespace'));

/** FIS's TagMap: at most 50 tags, keys up to 128 characters, values up to 256. */
export const tagMap = z
  .record(z.string().check(z.minLength(1), z.maxLength(128)), z.string().check(z.maxLength(256)))
  .check(z.refine((tags) => Object.keys(tags).length <= 50, { message: 'takes at most 50 tags' }));

export const filterInput = z.object({
  path: z.string().check(z.minLength(1), z.maxLength(256)),
  values: z
    .array(z.string().check(z.minLength(1), z.maxLength(128)))
    .check(z.minLength(1, 'must list at least one value')),
});

export const targetInput = z.object({
  resourceType: z.string().check(z.minLength(1), z.maxLength(128)),
  resourceArns: z.optional(
    z
      .array(z.string().check(z.minLength(20), z.maxLength(2048)))
      .check(z.maxLength(5, 'takes at most 5 ARNs')),
  ),
  resourceTags: z.optional(tagMap),
  filters: z.optional(z.array(filterInput)),
  selectionMode: z.string().check(z.minLength(1), z.maxLength(64)),
  parameters: z.optional(
    z.record(
      z.string().check(z.minLength(1), z.maxLength(64)),
      z.string().check(z.minLength(1), z.maxLength(1024)),
    ),
  ),
});

export const actionInput = z.object({
  actionId: z.string().check(z.minLength(1), z.maxLength(128)),
  description: z.optional(z.string().check(z.maxLength(512))),
  parameters: z.optional(
    z.record(
      z.string().check(z.minLength(1), z.maxLength(64)),
      z.string().check(z.minLength(1), z.maxLength(1024)),
    ),
  ),
  targets: z.optional(z.record(z.string().check(z.minLength(1), z.maxLength(64)), templateName)),
  startAfter: z.optional(z.array(templateName)),
});

/** UpdateExperimentTemplate's action items have every member optional; validation then requires actionId. */
const updateActionInput = z.extend(actionInput, {
  actionId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export const stopConditionInput = z.object({
  source: z.string().check(z.minLength(1), z.maxLength(64)),
  value: z.optional(z.string().check(z.minLength(20), z.maxLength(2048))),
});

const logDestinations = {
  cloudWatchLogsConfiguration: z.optional(
    z.object({ logGroupArn: z.string().check(z.minLength(20), z.maxLength(2048)) }),
  ),
  s3Configuration: z.optional(
    z.object({
      bucketName: z.string().check(z.minLength(3), z.maxLength(63)),
      prefix: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
    }),
  ),
};
export const logConfigurationInput = z.object({ logSchemaVersion: z.int(), ...logDestinations });
const updateLogConfigurationInput = z.object({ logSchemaVersion: z.optional(z.int()), ...logDestinations });

export const createTemplateInput = z.object({
  clientToken: z.string().check(z.minLength(1), z.maxLength(1024)),
  description: z.string().check(z.maxLength(512)),
  stopConditions: z.array(stopConditionInput),
  targets: z.optional(z.record(templateName, targetInput)),
  actions: z.record(templateName, actionInput),
  roleArn: z.string().check(z.minLength(20), z.maxLength(2048)),
  tags: z.optional(tagMap),
  logConfiguration: z.optional(logConfigurationInput),
  experimentOptions: z.optional(
    z.object({
      accountTargeting: z.optional(z.enum(['single-account', 'multi-account'])),
      emptyTargetResolutionMode: z.optional(z.enum(['fail', 'skip'])),
    }),
  ),
});

export const updateTemplateInput = z.object({
  description: z.optional(z.string().check(z.maxLength(512))),
  stopConditions: z.optional(z.array(stopConditionInput)),
  targets: z.optional(z.record(templateName, targetInput)),
  actions: z.optional(z.record(templateName, updateActionInput)),
  roleArn: z.optional(z.string().check(z.minLength(20), z.maxLength(2048))),
  logConfiguration: z.optional(updateLogConfigurationInput),
  experimentOptions: z.optional(
    z.object({ emptyTargetResolutionMode: z.optional(z.enum(['fail', 'skip'])) }),
  ),
});

export type CreateTemplateInput = z.output<typeof createTemplateInput>;
export type UpdateTemplateInput = z.output<typeof updateTemplateInput>;

/** The content a CreateExperimentTemplate request gives a template, with FIS's defaults filled in. */
export function templateBodyOf(input: CreateTemplateInput): TemplateBody {
  return {
    description: input.description,
    targets: mapValues(input.targets ?? {}, cleanTarget),
    actions: mapValues(input.actions, cleanAction),
    stopConditions: input.stopConditions.map(cleanStopCondition),
    roleArn: input.roleArn,
    ...(input.logConfiguration ? { logConfiguration: input.logConfiguration } : {}),
    experimentOptions: {
      accountTargeting: input.experimentOptions?.accountTargeting ?? 'single-account',
      emptyTargetResolutionMode: input.experimentOptions?.emptyTargetResolutionMode ?? 'fail',
    },
  };
}

export function mapValues<A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

/** Drops the members the caller left out, so that stored templates echo back exactly what was sent. */
export function cleanTarget(t: z.output<typeof targetInput>): TemplateTarget {
  return stripUndefined({ ...t });
}

export function cleanAction(a: z.output<typeof updateActionInput>): TemplateAction {
  return stripUndefined({ ...a, actionId: a.actionId ?? '' });
}

export function cleanStopCondition(s: z.output<typeof stopConditionInput>): StopCondition {
  return stripUndefined({ ...s });
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
