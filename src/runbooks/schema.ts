import * as z from 'zod';
import { isoDuration } from '../experiments/schema.ts';
import { globToRegExp } from './glob.ts';
import { badReference } from './template.ts';

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit',
  );

const glob = z
  .string()
  .min(1)
  .refine((g) => globToRegExp(g) !== undefined, {
    message: 'must be a glob pattern (*, ?, {a,b}) with its braces closed and not nested',
  });

/** Text that may hold `{{…}}` references to the triggering event. */
const template = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const why = badReference(text);
    if (why) ctx.addIssue({ code: 'custom', message: why, input: text });
  });

/** A CloudWatch alarm entering ALARM: every field given must match (globs on names and values). */
export const alarmMatch = z
  .object({
    /** Alarm name glob, or a list of them (any may match). */
    name: z.union([glob, z.array(glob).min(1)]).optional(),
    namespace: z.string().min(1).optional(),
    metric: z.string().min(1).optional(),
    /** Dimension name → value glob; the alarm's metric must have each. */
    dimensions: z.record(z.string().min(1), glob).optional(),
    /** Tag key → value glob; needs the alarm's tags looked up (events do not carry them). */
    tags: z.record(z.string().min(1), glob).optional(),
  })
  .strict()
  .refine((m) => Object.values(m).some((v) => v !== undefined), {
    message:
      'needs at least one of name, namespace, metric, dimensions or tags: a runbook never matches every alarm',
  });

export const EXPERIMENT_STATUSES = [
  'pending',
  'initiating',
  'running',
  'completed',
  'stopping',
  'stopped',
  'failed',
  'cancelled',
] as const;

/** A FIS experiment entering one of these statuses. */
export const experimentMatch = z
  .object({
    status: z.array(z.enum(EXPERIMENT_STATUSES)).min(1),
    /** Experiment template id glob. */
    template: glob.optional(),
  })
  .strict();

const parameterValue = z.union([template, z.array(template).min(1)], {
  // YAML reads `2` and `true` as a number and a boolean; SSM takes every parameter as text.
  error: "must be text or a list of text (quote numbers and booleans, e.g. '2')",
});

/** Start an SSM Automation document, its parameters taken from the event where they reference it. */
export const automationAction = z
  .object({
    document: z
      .string()
      .regex(/^[a-zA-Z0-9_.:/-]{3,128}$/, 'must be an SSM document name such as AWS-RestartEC2Instance'),
    /** Document version; the default version when left out. */
    version: z.string().min(1).optional(),
    parameters: z.record(z.string().min(1), parameterValue).default({}),
  })
  .strict();

/** Make Route 53 answer a failover record's SECONDARY set instead of its PRIMARY. */
export const failoverAction = z
  .object({
    /** Hosted zone name, e.g. example.com. */
    hostedZone: z.string().min(1),
    record: z.string().min(1),
    type: z.enum(['A', 'AAAA', 'CNAME']).default('A'),
    /** Set identifiers of the pair. */
    primary: z.string().min(1).default('primary'),
    secondary: z.string().min(1).default('secondary'),
    /** The primary's health check (id or Name tag), which the action marks as failed over. */
    healthCheck: z.string().min(1),
  })
  .strict();

export const actionSpec = z
  .object({
    automation: automationAction.optional(),
    failover: failoverAction.optional(),
  })
  .strict()
  .refine((a) => (a.automation === undefined) !== (a.failover === undefined), {
    message: 'needs exactly one of automation or failover',
  });

export const approvalSpec = z
  .object({
    required: z.boolean().default(false),
    /** No answer within this long is a rejection. */
    timeout: z._default(isoDuration, 'PT15M'),
  })
  .strict();

/** Success is every named alarm back to OK and every health check healthy within `within`. */
export const verifySpec = z
  .object({
    within: isoDuration,
    alarms: z.array(template).default([]),
    healthChecks: z.array(template).default([]),
  })
  .strict()
  .refine((v) => v.alarms.length + v.healthChecks.length > 0, {
    message: 'needs at least one alarm or health check: a remediation must be checked',
  });

const windowed = z
  .object({
    max: z.number().int().min(1),
    window: isoDuration,
  })
  .strict();

export const limitsSpec = z
  .object({
    /** What a resource is for this runbook, e.g. `{{alarm.dimensions.InstanceId}}`; default the alarm name or experiment id. */
    resource: template.optional(),
    /** After acting on a resource, leave it alone this long. */
    cooldown: z._default(isoDuration, 'PT10M'),
    perResource: windowed.default({ max: 3, window: 'PT1H' }),
    perRunbook: windowed.default({ max: 10, window: 'PT1H' }),
    /** Opens after `failures` failed or unverified remediations within `window`; one trial after `halfOpenAfter`. */
    breaker: z
      .object({
        failures: z.number().int().min(1),
        window: isoDuration,
        halfOpenAfter: isoDuration,
      })
      .strict()
      .default({ failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' }),
  })
  .strict();

export const runbookSchema = z
  .object({
    name,
    description: z.string().min(1).max(512),
    match: z
      .object({ alarm: alarmMatch.optional(), experiment: experimentMatch.optional() })
      .strict()
      .refine((m) => (m.alarm === undefined) !== (m.experiment === undefined), {
        message: 'needs exactly one of alarm or experiment',
      }),
    action: actionSpec,
    approval: approvalSpec.default({ required: false, timeout: 'PT15M' }),
    verify: verifySpec,
    limits: limitsSpec.default({
      cooldown: 'PT10M',
      perResource: { max: 3, window: 'PT1H' },
      perRunbook: { max: 10, window: 'PT1H' },
      breaker: { failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' },
    }),
    /** Everything but the action, recorded as "would have done". */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type Runbook = z.infer<typeof runbookSchema>;
export type RunbookInput = z.input<typeof runbookSchema>;
export type RunbookLimits = Runbook['limits'];
