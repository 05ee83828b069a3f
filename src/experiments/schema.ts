import * as z from 'zod';
import { parseSelectionMode } from '../fis/selection-mode.ts';
import { templateName } from '../fis/template-input.ts';
import { parseIsoDuration } from '../time/duration.ts';

/** An ISO-8601 duration such as PT10M, kept as written (FIS takes the text). */
export const isoDuration = z.string().refine((s) => parseIsoDuration(s) !== undefined, {
  message: 'must be an ISO-8601 duration such as PT10M',
});

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit',
  );

/** Tags a target selects resources by (`aws:` ones included, e.g. aws:autoscaling:groupName). */
const resourceTags = z.record(z.string().min(1).max(128), z.string().max(256));

/** The template's own tags; `faultline:` tags are the ones faultline writes, `aws:` ones AWS's. */
const templateTags = z.record(
  z
    .string()
    .min(1)
    .max(128)
    .refine((k) => !/^(faultline|aws):/i.test(k), {
      message: 'tag keys starting with faultline: or aws: are reserved',
    }),
  z.string().max(256),
);

/** A CloudWatch metric, named as CloudWatch names it. */
export const metricRef = z
  .object({
    namespace: z.string().min(1),
    metric: z.string().min(1),
    dimensions: z.record(z.string(), z.string()).default({}),
    statistic: z
      .string()
      .regex(
        /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/,
        'must be Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99',
      )
      .default('Average'),
  })
  .strict();

/** A bound on a metric: its value each minute must stay at or under `max` (and at or over `min`). */
export const metricBound = metricRef
  .extend({
    /** A short name used in reports, e.g. `error-rate`. */
    name,
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict()
  .refine((m) => m.min !== undefined || m.max !== undefined, { message: 'needs min, max or both' });

/** FIS's selection modes, checked by the same rule FIS's template validation uses. */
const selection = z
  .string()
  .refine((s) => parseSelectionMode(s) !== undefined, {
    message: 'must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100',
  })
  .default('ALL');

/** What to hit: FIS target syntax, written for people (filters as a map, tags as a map). */
export const targetSpec = z
  .object({
    type: z.string().min(1).describe('FIS resource type, e.g. aws:ec2:instance'),
    tags: resourceTags.optional(),
    arns: z.array(z.string().min(1)).min(1).optional(),
    /** FIS filter path → accepted values (one value or a list). */
    filters: z
      .record(
        z.string().min(1),
        z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
          error: 'must be a value or a list of values',
        }),
      )
      .optional(),
    select: selection,
    parameters: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine((t) => (t.tags === undefined) !== (t.arns === undefined) || t.parameters !== undefined, {
    message: 'needs exactly one of tags or arns (or parameters, for resource types that take them)',
  });

export const actionSpec = z
  .object({
    action: z
      .string()
      .regex(/^aws:[a-z0-9-]+:[a-z0-9-]+$/, 'must be a FIS action id such as aws:ec2:stop-instances'),
    description: z.string().optional(),
    /** FIS target key (e.g. Instances) → a target defined under fault.targets. */
    targets: z.record(z.string(), z.string()).default({}),
    parameters: z.record(z.string(), z.string()).default({}),
    startAfter: z.array(z.string()).default([]),
  })
  .strict();

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 09:30');

/** When a game day may run: on these days, between these times, in this time zone. */
export const windowSpec = z
  .object({
    days: z.array(weekday).min(1),
    from: clock,
    to: clock,
    timezone: z.string().default('UTC'),
  })
  .strict()
  .refine((w) => w.from < w.to, { message: "'from' must be earlier than 'to'" })
  .refine(
    (w) => {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: w.timezone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'timezone must be an IANA time zone such as Europe/Paris' },
  );

/**
 * What a game day samples every minute onto the timeline (`metrics.sample`), each metric named as
 * CloudWatch names it. Left out, the sandbox's checkout catalogue is used, with the experiment's
 * service as the `Service` dimension (src/observe/sample-metrics.ts).
 */
export const sampleMetricsSpec = z
  .object({
    /** Requests per minute (statistic Sum); the timeline shows them per second. */
    requestCount: metricRef.optional(),
    /** Percent of requests that failed. */
    errorRate: metricRef.optional(),
    /** p99 latency in milliseconds. */
    p99Latency: metricRef.optional(),
    /** Healthy hosts, read once per AZ with an `AvailabilityZone` dimension added. */
    healthyHosts: metricRef
      .extend({ availabilityZones: z.array(z.string().min(1)).min(1) })
      .strict()
      .optional(),
    /** Replication lag in milliseconds. */
    replicaLag: metricRef.optional(),
  })
  .strict();

export const experimentSchema = z
  .object({
    name,
    description: z.string().min(1).max(512),
    /** The service under test; also the tag value that scopes "nothing else running". */
    service: z.string().min(1),
    objectives: z
      .object({
        /** Steady state must be back within this long after the fault ends. */
        rto: isoDuration,
        /** Most data the service may lose (replication lag at the moment of failover). */
        rpo: isoDuration.optional(),
        /** Availability objective in percent, e.g. 99.9; the report shows the error budget spent. */
        availabilitySlo: z.number().gt(0).lt(100).optional(),
        /** The window the SLO is measured over (error budget), default 30 days. */
        sloWindow: isoDuration.default('P30D'),
      })
      .strict(),
    hypothesis: z
      .object({
        /** CloudWatch alarms (by name) that must be OK before the fault and again after it. */
        alarms: z.array(z.string().min(1)).default([]),
        /** Route 53 health checks (by id, or by their Name tag) that must be healthy. */
        healthChecks: z.array(z.string().min(1)).default([]),
        metrics: z.array(metricBound).default([]),
      })
      .strict()
      .refine((h) => h.alarms.length + h.healthChecks.length + h.metrics.length > 0, {
        message: 'the steady state needs at least one alarm, health check or metric bound',
      }),
    fault: z
      .object({
        /** Names as FIS allows them, so that an existing template's targets and actions keep theirs. */
        targets: z.record(templateName, targetSpec),
        actions: z
          .record(templateName, actionSpec)
          .refine((a) => Object.keys(a).length > 0, { message: 'needs at least one action' }),
        /** What FIS does when a target resolves to nothing: fail the experiment (default) or skip the action. */
        emptyTargets: z.enum(['fail', 'skip']).default('fail'),
      })
      .strict(),
    /** CloudWatch alarm names; FIS stops the experiment when any enters ALARM. */
    stopConditions: z
      .array(z.string().min(1).max(255))
      .min(1, 'needs at least one alarm: a fault must always have a way to stop')
      .refine((names) => new Set(names).size === names.length, { message: 'names an alarm twice' }),
    guardrails: z
      .object({
        /** Largest share of the service's instances the fault may hit, in percent. */
        maxBlastRadiusPercent: z.number().gt(0).max(100).default(50),
        /** Stop the experiment when any of these bounds is crossed (beyond FIS's stop conditions). */
        abortWhen: z
          .array(
            metricRef
              .extend({
                above: z.number().optional(),
                below: z.number().optional(),
                /** Consecutive minutes the bound must be crossed before aborting. */
                forMinutes: z.number().int().min(1).default(1),
              })
              .strict()
              .refine((a) => a.above !== undefined || a.below !== undefined, {
                message: 'needs above or below',
              }),
          )
          .default([]),
        windows: z.array(windowSpec).default([]),
        /** Longest the fault may run, whatever FIS says; the experiment is stopped after it. */
        maxDuration: isoDuration.default('PT1H'),
      })
      .strict()
      .default({ maxBlastRadiusPercent: 50, abortWhen: [], windows: [], maxDuration: 'PT1H' }),
    /**
     * EventBridge schedule expression, e.g. `cron(0 10 ? * TUE *)` or `rate(7 days)`: checked by
     * EventBridge's rules in rules.ts, which keeps the cron parser out of the handlers' bundles.
     */
    schedule: z.string().optional(),
    tags: templateTags.default({}),
    metrics: sampleMetricsSpec.optional(),
  })
  .strict();

export type ExperimentSpec = z.infer<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;
