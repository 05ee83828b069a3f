import * as z from 'zod';
import type { StopCondition, TemplateAction, TemplateBody, TemplateTarget } from './template.ts';

/**
 * The wire shapes of CreateExperimentTemplate and UpdateExperimentTemplate (restJson1 bodies),
 * with FIS's limits. Parse them with parseFisInput (wire-input.ts).
 */

export const templateName = z.string().min(1).max(64).regex(/^\S+$/, 'must not contain whitespace');
const stringMap = z.record(z.string(), z.string());

export const filterInput = z.object({
  path: z.string().min(1).max(256),
  values: z.array(z.string().min(1)).min(1, 'must list at least one value'),
});

export const targetInput = z.object({
  resourceType: z.string().min(1).max(128),
  resourceArns: z.array(z.string().min(20).max(2048)).optional(),
  resourceTags: stringMap.optional(),
  filters: z.array(filterInput).optional(),
  selectionMode: z.string().min(1).max(64),
  parameters: stringMap.optional(),
});

export const actionInput = z.object({
  actionId: z.string().min(1).max(128),
  description: z.string().max(512).optional(),
  parameters: stringMap.optional(),
  targets: stringMap.optional(),
  startAfter: z.array(z.string()).optional(),
});

/** UpdateExperimentTemplate's action items have every member optional; validation then requires actionId. */
const updateActionInput = actionInput.extend({ actionId: z.string().min(1).max(128).optional() });

export const stopConditionInput = z.object({
  source: z.string().min(1).max(64),
  value: z.string().min(20).max(2048).optional(),
});

const logConfigurationInput = z.looseObject({ logSchemaVersion: z.number().int() });
const updateLogConfigurationInput = z.looseObject({ logSchemaVersion: z.number().int().optional() });

export const createTemplateInput = z.object({
  clientToken: z.string().min(1).max(1024),
  description: z.string().max(512),
  stopConditions: z.array(stopConditionInput),
  targets: z.record(templateName, targetInput).optional(),
  actions: z.record(templateName, actionInput),
  roleArn: z.string().min(20).max(1224),
  tags: stringMap.optional(),
  logConfiguration: logConfigurationInput.optional(),
  experimentOptions: z
    .object({
      accountTargeting: z.enum(['single-account', 'multi-account']).optional(),
      emptyTargetResolutionMode: z.enum(['fail', 'skip']).optional(),
    })
    .optional(),
});

export const updateTemplateInput = z.object({
  description: z.string().max(512).optional(),
  stopConditions: z.array(stopConditionInput).optional(),
  targets: z.record(templateName, targetInput).optional(),
  actions: z.record(templateName, updateActionInput).optional(),
  roleArn: z.string().min(20).max(1224).optional(),
  logConfiguration: updateLogConfigurationInput.optional(),
  experimentOptions: z.object({ emptyTargetResolutionMode: z.enum(['fail', 'skip']).optional() }).optional(),
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
