import { countIn, isoDuration } from '../input/bounds.ts';
import * as z from '../zod.ts';
import { globToRegExp } from './glob.ts';
import { badReference } from './template.ts';

const name = z
  .string()
  .check(
    z.regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit',
    ),
  );

const glob = z.string().check(
  z.minLength(1),
  z.refine((g) => globToRegExp(g) !== undefined, {
    message: 'must be a glob pattern (*, ?, {a,b}) with its braces closed and not nested',
  }),
);

/** Text that may hold `{{…}}` references to the triggering event. */
const template = z.string().check(
  z.minLength(1),
  z.superRefine((text, ctx) => {
    const why = badReference(text);
    if (why) ctx.addIssue({ code: 'custom', message: why, input: text });
  }),
);

/** A CloudWatch alarm entering ALARM: every field given must match (globs on names and values). */
export const alarmMatch = z
  .strictObject({
    /** Alarm name glob, or a list of them (any may match). */
    name: z.optional(z.union([glob, z.array(glob).check(z.minLength(1))])),
    namespace: z.optional(z.string().check(z.minLength(1))),
    metric: z.optional(z.string().check(z.minLength(1))),
    /** Dimension name → value glob; the alarm's metric must have each. */
    dimensions: z.optional(z.record(z.string().check(z.minLength(1)), glob)),
    /** Tag key → value glob; needs the alarm's tags looked up (events do not carry them). */
    tags: z.optional(z.record(z.string().check(z.minLength(1)), glob)),
  })
  .check(
    z.refine((m) => Object.values(m).some((v) => v !== undefined), {
      message:
        'needs at least one of name, namespace, metric, dimensions or tags: a runbook never matches every alarm',
    }),
  );

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
export const experimentMatch = z.strictObject({
  status: z.array(z.enum(EXPERIMENT_STATUSES)).check(z.minLength(1)),
  /** Experiment template id glob. */
  template: z.optional(glob),
});

const parameterValue = z.union([template, z.array(template).check(z.minLength(1))], {
  // YAML reads `2` and `true` as a number and a boolean; SSM takes every parameter as text.
  error: "must be text or a list of text (quote numbers and booleans, e.g. '2')",
});

/** Start an SSM Automation document, its parameters taken from the event where they reference it. */
export const automationAction = z.strictObject({
  document: z
    .string()
    .check(
      z.regex(/^[a-zA-Z0-9_.:/-]{3,128}$/, 'must be an SSM document name such as AWS-RestartEC2Instance'),
    ),
  /** Document version; the default version when left out. */
  version: z.optional(z.string().check(z.minLength(1))),
  parameters: z._default(z.record(z.string().check(z.minLength(1)), parameterValue), {}),
});

/** Make Route 53 answer a failover record's SECONDARY set instead of its PRIMARY. */
export const failoverAction = z.strictObject({
  /** Hosted zone name, e.g. example.com. */
  hostedZone: z.string().check(z.minLength(1)),
  record: z.string().check(z.minLength(1)),
  type: z._default(z.enum(['A', 'AAAA', 'CNAME']), 'A'),
  /** Set identifiers of the pair. */
  primary: z._default(z.string().check(z.minLength(1)), 'primary'),
  secondary: z._default(z.string().check(z.minLength(1)), 'secondary'),
  /** The primary's health check (id or Name tag), which the action marks as failed over. */
  healthCheck: z.string().check(z.minLength(1)),
});

export const actionSpec = z
  .strictObject({
    automation: z.optional(automationAction),
    failover: z.optional(failoverAction),
  })
  .check(
    z.refine((a) => (a.automation === undefined) !== (a.failover === undefined), {
      message: 'needs exactly one of automation or failover',
    }),
  );

export const approvalSpec = z.strictObject({
  required: z._default(z.boolean(), false),
  /** No answer within this long is a rejection. */
  timeout: z._default(isoDuration('PT1M', 'P1D'), 'PT15M'),
});

/** Success is every named alarm back to OK and every health check healthy within `within`. */
export const verifySpec = z
  .strictObject({
    within: isoDuration('PT1M', 'PT12H'),
    alarms: z._default(z.array(template), []),
    healthChecks: z._default(z.array(template), []),
  })
  .check(
    z.refine((v) => v.alarms.length + v.healthChecks.length > 0, {
      message: 'needs at least one alarm or health check: a remediation must be checked',
    }),
  );

/** Every limit counts over a window from a minute to a day: shorter holds nothing back, longer outlives the incident. */
const limitWindow = isoDuration('PT1M', 'P1D');

const windowed = z.strictObject({
  max: z.number().check(countIn(1, 1000)),
  window: limitWindow,
});

export const limitsSpec = z.strictObject({
  /** What a resource is for this runbook, e.g. `{{alarm.dimensions.InstanceId}}`; default the alarm name or experiment id. */
  resource: z.optional(template),
  /** After acting on a resource, leave it alone this long. */
  cooldown: z._default(limitWindow, 'PT10M'),
  perResource: z._default(windowed, { max: 3, window: 'PT1H' }),
  perRunbook: z._default(windowed, { max: 10, window: 'PT1H' }),
  /** Opens after `failures` failed or unverified remediations within `window`; one trial after `halfOpenAfter`. */
  breaker: z._default(
    z.strictObject({
      failures: z.number().check(countIn(1, 100)),
      window: limitWindow,
      halfOpenAfter: limitWindow,
    }),
    { failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' },
  ),
});

export const runbookSchema = z.strictObject({
  name,
  description: z.string().check(z.minLength(1), z.maxLength(512)),
  match: z.strictObject({ alarm: z.optional(alarmMatch), experiment: z.optional(experimentMatch) }).check(
    z.refine((m) => (m.alarm === undefined) !== (m.experiment === undefined), {
      message: 'needs exactly one of alarm or experiment',
    }),
  ),
  action: actionSpec,
  approval: z._default(approvalSpec, { required: false, timeout: 'PT15M' }),
  verify: verifySpec,
  limits: z._default(limitsSpec, {
    cooldown: 'PT10M',
    perResource: { max: 3, window: 'PT1H' },
    perRunbook: { max: 10, window: 'PT1H' },
    breaker: { failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' },
  }),
  /** Everything but the action, recorded as "would have done". */
  dryRun: z._default(z.boolean(), false),
});

export type Runbook = z.infer<typeof runbookSchema>;
export type RunbookInput = z.input<typeof runbookSchema>;
export type RunbookLimits = Runbook['limits'];
