import { parseSelectionMode } from '../fis/selection-mode.ts';
import { templateName } from '../fis/template-input.ts';
import { countIn, isoDuration, percentIn } from '../input/bounds.ts';
import * as z from '../zod.ts';

const name = z
  .string()
  .check(
    z.regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit',
    ),
  );

/** Tags a target selects resources by (`aws:` ones included, e.g. aws:autoscaling:groupName). */
const resourceTags = z.record(
  z.string().check(z.minLength(1), z.maxLength(128)),
  z.string().check(z.maxLength(256)),
);

/** The template's own tags; `faultline:` tags are the ones faultline writes, `aws:` ones AWS's. */
const templateTags = z.record(
  z.string().check(
    z.minLength(1),
    z.maxLength(128),
    z.refine((k) => !/^(faultline|aws):/i.test(k), {
      message: 'tag keys starting with faultline: or aws: are reserved',
    }),
  ),
  z.string().check(z.maxLength(256)),
);

/** A CloudWatch metric, named as CloudWatch names it. */
export const metricRef = z.strictObject({
  namespace: z.string().check(z.minLength(1)),
  metric: z.string().check(z.minLength(1)),
  dimensions: z._default(z.record(z.string(), z.string()), {}),
  statistic: z._default(
    z
      .string()
      .check(
        z.regex(
          /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/,
          'must be Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99',
        ),
      ),
    'Average',
  ),
});

/** A bound on a metric: its value each minute must stay at or under `max` (and at or over `min`). */
export const metricBound = z
  .extend(metricRef, {
    /** A short name used in reports, e.g. `error-rate`. */
    name,
    min: z.optional(z.number()),
    max: z.optional(z.number()),
  })
  .check(
    z.refine((m) => m.min !== undefined || m.max !== undefined, { message: 'needs min, max or both' }),
    z.refine((m) => m.min === undefined || m.max === undefined || m.min <= m.max, {
      message: 'min is larger than max: no value could ever satisfy the bound',
    }),
  );

/** FIS's selection modes, checked by the same rule FIS's template validation uses. */
const selection = z._default(
  z.string().check(
    z.refine((s) => parseSelectionMode(s) !== undefined, {
      message: 'must be ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100',
    }),
  ),
  'ALL',
);

/** What to hit: FIS target syntax, written for people (filters as a map, tags as a map). */
export const targetSpec = z
  .strictObject({
    /** FIS resource type, e.g. aws:ec2:instance. */
    type: z.string().check(z.minLength(1)),
    tags: z.optional(resourceTags),
    arns: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    /** FIS filter path → accepted values (one value or a list). */
    filters: z.optional(
      z.record(
        z.string().check(z.minLength(1)),
        z.union(
          [z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))],
          { error: 'must be a value or a list of values' },
        ),
      ),
    ),
    select: selection,
    parameters: z.optional(z.record(z.string(), z.string())),
  })
  .check(
    z.refine((t) => (t.tags === undefined) !== (t.arns === undefined) || t.parameters !== undefined, {
      message: 'needs exactly one of tags or arns (or parameters, for resource types that take them)',
    }),
  );

export const actionSpec = z.strictObject({
  action: z
    .string()
    .check(z.regex(/^aws:[a-z0-9-]+:[a-z0-9-]+$/, 'must be a FIS action id such as aws:ec2:stop-instances')),
  description: z.optional(z.string()),
  /** FIS target key (e.g. Instances) → a target defined under fault.targets. */
  targets: z._default(z.record(z.string(), z.string()), {}),
  parameters: z._default(z.record(z.string(), z.string()), {}),
  startAfter: z._default(z.array(z.string()), []),
});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time such as 09:30'));

/** When a game day may run: on these days, between these times, in this time zone. */
export const windowSpec = z
  .strictObject({
    days: z.array(weekday).check(z.minLength(1)),
    from: clock,
    to: clock,
    timezone: z._default(z.string(), 'UTC'),
  })
  .check(
    z.refine((w) => w.from < w.to, { message: "'from' must be earlier than 'to'" }),
    z.refine(
      (w) => {
        try {
          new Intl.DateTimeFormat('en-GB', { timeZone: w.timezone });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'timezone must be an IANA time zone such as Europe/Paris' },
    ),
  );

/** The most lines one chart tells apart (each has a colour, a dash and a marker of its own). */
export const MAX_SERIES_PER_CHART = 6;

/**
 * A metric charted beside the fixed ones (the cache's primary, a function's throttles), sampled
 * each minute with them. `series` draws one line per value of one dimension (per cache node, per
 * AZ), each read with that dimension added to `dimensions`.
 */
export const extraMetricSpec = z
  .extend(metricRef, {
    /** Its key on the samples and in report.json, e.g. `cache-primary`. */
    name,
    /** The chart's title, e.g. `Cache primary (IsMaster per node)`. */
    title: z.string().check(z.minLength(1), z.maxLength(60)),
    /** As the chart's title and the report's figures show it, e.g. `tasks`, `ms`. */
    unit: z.string().check(z.minLength(1), z.maxLength(20)),
    series: z.optional(
      z.strictObject({
        dimension: z.string().check(z.minLength(1)),
        values: z.array(z.string().check(z.minLength(1))).check(
          z.minLength(1),
          z.maxLength(MAX_SERIES_PER_CHART, `at most ${MAX_SERIES_PER_CHART} lines on one chart`),
          z.refine((v) => new Set(v).size === v.length, { message: 'names a value twice' }),
        ),
      }),
    ),
  })
  .check(
    z.refine((m) => m.series === undefined || !(m.series.dimension in m.dimensions), {
      message: 'series.dimension is also in dimensions: each line needs it to take its own value',
      path: ['series', 'dimension'],
    }),
  );

/**
 * What a game day samples every minute onto the timeline (`metrics.sample`), each metric named as
 * CloudWatch names it. Left out, the sandbox's checkout catalogue is used, with the experiment's
 * service as the `Service` dimension (src/observe/sample-metrics.ts); so is it when `extra` is all
 * that is given.
 */
export const sampleMetricsSpec = z.strictObject({
  /** Requests per minute (statistic Sum); the timeline shows them per second. */
  requestCount: z.optional(metricRef),
  /** Percent of requests that failed. */
  errorRate: z.optional(metricRef),
  /** p99 latency in milliseconds. */
  p99Latency: z.optional(metricRef),
  /** Healthy hosts, read once per AZ with an `AvailabilityZone` dimension added. */
  healthyHosts: z.optional(
    z.extend(metricRef, {
      availabilityZones: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    }),
  ),
  /** Replication lag in milliseconds. */
  replicaLag: z.optional(metricRef),
  /** Concurrent executions of a function (AWS/Lambda ConcurrentExecutions, Maximum). */
  concurrency: z.optional(metricRef),
  /** More metrics to chart, each under its own title. */
  extra: z.optional(
    z.array(extraMetricSpec).check(
      z.maxLength(12, 'at most 12 extra metrics'),
      z.refine((m) => new Set(m.map((x) => x.name)).size === m.length, { message: 'names a metric twice' }),
    ),
  ),
});

export const experimentSchema = z.strictObject({
  name,
  description: z.string().check(z.minLength(1), z.maxLength(512)),
  /** The service under test; also the tag value that scopes "nothing else running". */
  service: z.string().check(z.minLength(1)),
  objectives: z.strictObject({
    /** Steady state must be back within this long after the fault ends (or the impact: `rtoFrom`). */
    rto: isoDuration('PT1M', 'P1D'),
    /**
     * Where the RTO's clock starts: `fault-end` for a fault the service recovers from once it is
     * over; `impact` for a disaster it must recover from while it lasts (a lost region comes back
     * on nobody's schedule, so a regional drill measures from the moment it was lost).
     */
    rtoFrom: z._default(z.enum(['fault-end', 'impact']), 'fault-end'),
    /** Most data the service may lose (replication lag at the moment of failover); PT0S is none. */
    rpo: z.optional(isoDuration('PT0S', 'P1D')),
    /** Availability objective in percent, e.g. 99.9; the report shows the error budget spent. */
    availabilitySlo: z.optional(z.number().check(percentIn({ below: true }))),
    /** The window the SLO is measured over (error budget), default 30 days. */
    sloWindow: z._default(isoDuration('P1D', 'P365D'), 'P30D'),
  }),
  hypothesis: z
    .strictObject({
      /** CloudWatch alarms (by name) that must be OK before the fault and again after it. */
      alarms: z._default(z.array(z.string().check(z.minLength(1))), []),
      /** Route 53 health checks (by id, or by their Name tag) that must be healthy. */
      healthChecks: z._default(z.array(z.string().check(z.minLength(1))), []),
      metrics: z._default(z.array(metricBound), []),
    })
    .check(
      z.refine((h) => h.alarms.length + h.healthChecks.length + h.metrics.length > 0, {
        message: 'the steady state needs at least one alarm, health check or metric bound',
      }),
    ),
  fault: z.strictObject({
    /** Names as FIS allows them, so that an existing template's targets and actions keep theirs. */
    targets: z.record(templateName, targetSpec),
    actions: z
      .record(templateName, actionSpec)
      .check(z.refine((a) => Object.keys(a).length > 0, { message: 'needs at least one action' })),
    /** What FIS does when a target resolves to nothing: fail the experiment (default) or skip the action. */
    emptyTargets: z._default(z.enum(['fail', 'skip']), 'fail'),
  }),
  /** CloudWatch alarm names; FIS stops the experiment when any enters ALARM. */
  stopConditions: z.array(z.string().check(z.minLength(1), z.maxLength(255))).check(
    z.minLength(1, 'needs at least one alarm: a fault must always have a way to stop'),
    z.refine((names) => new Set(names).size === names.length, { message: 'names an alarm twice' }),
  ),
  guardrails: z._default(
    z.strictObject({
      /** Largest share of the service's instances the fault may hit, in percent. */
      maxBlastRadiusPercent: z._default(z.number().check(percentIn()), 50),
      /** Stop the experiment when any of these bounds is crossed (beyond FIS's stop conditions). */
      abortWhen: z._default(
        z.array(
          z
            .extend(metricRef, {
              above: z.optional(z.number()),
              below: z.optional(z.number()),
              /** Consecutive minutes the bound must be crossed before aborting (an hour at most: it is a guardrail). */
              forMinutes: z._default(z.number().check(countIn(1, 60)), 1),
            })
            .check(
              z.refine((a) => a.above !== undefined || a.below !== undefined, {
                message: 'needs above or below',
              }),
              z.refine((a) => a.above === undefined || a.below === undefined || a.below <= a.above, {
                message:
                  'below is larger than above: every value would be crossing one of them, so the fault would stop at once',
              }),
            ),
        ),
        [],
      ),
      windows: z._default(z.array(windowSpec), []),
      /** Longest the fault may run, whatever FIS says; the experiment is stopped after it. FIS runs an action 12 hours at most. */
      maxDuration: z._default(isoDuration('PT1M', 'PT12H'), 'PT1H'),
    }),
    { maxBlastRadiusPercent: 50, abortWhen: [], windows: [], maxDuration: 'PT1H' },
  ),
  /**
   * EventBridge schedule expression, e.g. `cron(0 10 ? * TUE *)` or `rate(7 days)`: checked by
   * EventBridge's rules in rules.ts, which keeps the cron parser out of the handlers' bundles.
   */
  schedule: z.optional(z.string()),
  tags: z._default(templateTags, {}),
  metrics: z.optional(sampleMetricsSpec),
  /**
   * Written by faultline when the experiment comes from a FIS template (`--template`): the
   * template, where its stop conditions came from, and what faultline inferred or left out, one
   * line each. The game day prints them and keeps them on its incident.
   */
  imported: z.optional(
    z.strictObject({
      template: z.string(),
      stopConditionsFrom: z.enum(['template', 'side file', 'hypothesis']),
      notes: z.array(z.string()),
    }),
  ),
});

export type ExperimentSpec = z.infer<typeof experimentSchema>;
export type ExtraMetric = z.infer<typeof extraMetricSpec>;
export type ExperimentInput = z.input<typeof experimentSchema>;
