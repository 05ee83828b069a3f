import type { ExtraMetric, metricBound } from '../experiments/schema.ts';
import type { EventKinds } from '../timeline/kinds.ts';
import type * as z from '../zod.ts';
import type { Fact } from './timeline.ts';

export type Sample = EventKinds['metrics.sample'];
export type MetricBound = z.infer<typeof metricBound>;

/** A metric sample, the start of its minute (epoch ms) and the event that recorded it. */
export interface TimedSample {
  minute: number;
  sample: Sample;
  eventId: string;
}

export const MINUTE = 60_000;

export const minuteOf = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** Every minute's sample in time order; a minute with two samples keeps the later. */
export function samplesOf(facts: readonly Fact[]): TimedSample[] {
  const out: TimedSample[] = [];
  for (const f of facts) {
    if (f.typed?.kind !== 'metrics.sample') continue;
    const minute = minuteOf(f.at);
    const last = out[out.length - 1];
    if (last && last.minute === minute) {
      last.sample = f.typed.detail;
      last.eventId = f.event.eventId;
    } else out.push({ minute, sample: f.typed.detail, eventId: f.event.eventId });
  }
  return out;
}

export function totalHealthyHosts(s: Sample): number | null {
  const values = Object.values(s.healthyHostsByAz);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
}

/** The fields of a minute sample, as the charts draw them (`healthyHosts`: per AZ, or their total). */
export type SampleField =
  | 'requestRate'
  | 'errorRatePercent'
  | 'p99LatencyMs'
  | 'healthyHosts'
  | 'replicaLagMs'
  | 'concurrency'
  | ExtraField;

/** An extra metric of the experiment (`metrics.extra`), by its name. */
export type ExtraField = `extra:${string}`;

export const extraField = (name: string): ExtraField => `extra:${name}`;

const isExtra = (field: SampleField): field is ExtraField => field.startsWith('extra:');

/** A CloudWatch metric as the samples carry it: which field, and how its unit maps to the field's. */
export interface SampledMetric {
  field: SampleField;
  /**
   * The line of the field it is: `healthyHosts` of one AZ (the metric's `AvailabilityZone`
   * dimension), an extra metric's series value; null for their total, and other fields.
   */
  az: string | null;
  /** The sample field's value in the metric's own unit (ms → s for TargetResponseTime). */
  fromSample: (v: number) => number;
  /** The metric's value in the sample field's unit, to draw a threshold on the field's chart. */
  toSample: (v: number) => number;
}

const same = (v: number) => v;

/**
 * Which sample field a metric (named as CloudWatch names it) is, when the samples carry it;
 * undefined otherwise (a bound on it is then reported as not evaluated rather than guessed).
 * `periodSeconds` scales a per-period Sum of requests to the per-second rate the samples hold.
 */
export function sampledMetric(
  m: { namespace: string; metric: string; statistic: string; dimensions: Record<string, string> },
  periodSeconds = 60,
): SampledMetric | undefined {
  const plain = (field: SampleField): SampledMetric => ({
    field,
    az: null,
    fromSample: same,
    toSample: same,
  });
  switch (`${m.namespace}/${m.metric}`) {
    case 'Faultline/Service/ErrorRate':
      return plain('errorRatePercent');
    case 'Faultline/Service/Availability':
      return { field: 'errorRatePercent', az: null, fromSample: (v) => 100 - v, toSample: (v) => 100 - v };
    case 'Faultline/Service/LatencyP99':
      return plain('p99LatencyMs');
    case 'Faultline/Service/RequestCount':
    case 'AWS/ApiGateway/Count':
      return m.statistic === 'Sum'
        ? {
            field: 'requestRate',
            az: null,
            fromSample: (v) => v * periodSeconds,
            toSample: (v) => v / periodSeconds,
          }
        : undefined;
    case 'AWS/ApiGateway/Latency':
      return m.statistic === 'p99' ? plain('p99LatencyMs') : undefined;
    case 'AWS/Lambda/ConcurrentExecutions':
      return m.statistic === 'Maximum' ? plain('concurrency') : undefined;
    case 'AWS/ApplicationELB/TargetResponseTime':
      // CloudWatch has it in seconds; only the p99 is sampled.
      return m.statistic === 'p99'
        ? { field: 'p99LatencyMs', az: null, fromSample: (v) => v / 1000, toSample: (v) => v * 1000 }
        : undefined;
    case 'AWS/ApplicationELB/HealthyHostCount':
      return { ...plain('healthyHosts'), az: m.dimensions.AvailabilityZone ?? null };
    case 'AWS/RDS/AuroraReplicaLag':
    case 'AWS/RDS/AuroraGlobalDBRPOLag':
    case 'AWS/DynamoDB/ReplicationLatency':
      return plain('replicaLagMs');
    default:
      return undefined;
  }
}

const sameDimensions = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * Which of the experiment's extra metrics (and which of its lines) a metric is: the same metric,
 * statistic and dimensions, plus the series dimension for a metric drawn per dimension value. A
 * per-period Sum reads as the per-minute Sum the samples hold.
 */
export function extraSampled(
  extras: readonly ExtraMetric[],
  m: { namespace: string; metric: string; statistic: string; dimensions: Record<string, string> },
  periodSeconds = 60,
): SampledMetric[] {
  const perMinute = m.statistic === 'Sum' ? 60 / periodSeconds : 1;
  const out: SampledMetric[] = [];
  for (const x of extras) {
    if (x.namespace !== m.namespace || x.metric !== m.metric || x.statistic !== m.statistic) continue;
    let az: string | null = null;
    let dims = m.dimensions;
    if (x.series) {
      const { [x.series.dimension]: line, ...rest } = m.dimensions;
      if (line === undefined || !x.series.values.includes(line)) continue;
      az = line;
      dims = rest;
    }
    if (!sameDimensions(dims, x.dimensions)) continue;
    out.push({
      field: extraField(x.name),
      az,
      fromSample: (v) => v / perMinute,
      toSample: (v) => v * perMinute,
    });
  }
  return out;
}

/**
 * A sampled field's value: a per-AZ count or the total of the AZs, an extra metric's line (`key`:
 * its series value, null for a metric of one line); null when not sampled.
 */
export function readField(s: Sample, field: SampleField, key: string | null = null): number | null {
  if (field === 'healthyHosts')
    return key === null ? totalHealthyHosts(s) : (s.healthyHostsByAz[key] ?? null);
  if (isExtra(field)) {
    const v = s.extra?.[field.slice('extra:'.length)];
    if (v === undefined || v === null || typeof v === 'number') return key === null ? (v ?? null) : null;
    return key === null ? null : (v[key] ?? null);
  }
  return s[field] ?? null;
}

/**
 * How a hypothesis metric bound reads off a timeline sample, in the bound's own unit; undefined
 * when the samples do not carry that metric.
 */
export function boundReader(bound: MetricBound): ((s: Sample) => number | null) | undefined {
  const m = sampledMetric(bound);
  if (!m) return undefined;
  return (s) => {
    const v = readField(s, m.field, m.az);
    return v === null ? null : m.fromSample(v);
  };
}

export function outsideBound(bound: MetricBound, value: number): boolean {
  return (bound.max !== undefined && value > bound.max) || (bound.min !== undefined && value < bound.min);
}

/**
 * The bounds a sample is outside (a bound the samples do not carry, or a value not sampled, is not
 * evaluated); undefined when no bound can be read off the samples at all.
 */
export function boundsBroken(bounds: readonly MetricBound[]): ((s: Sample) => MetricBound[]) | undefined {
  const readable = bounds.flatMap((b) => {
    const read = boundReader(b);
    return read ? [{ b, read }] : [];
  });
  if (readable.length === 0) return undefined;
  return (s) =>
    readable.flatMap(({ b, read }) => {
      const v = read(s);
      return v !== null && outsideBound(b, v) ? [b] : [];
    });
}

/** Whether a sample is outside any of the bounds; undefined when none can be read off the samples. */
export function outsideAnyBound(bounds: readonly MetricBound[]): ((s: Sample) => boolean) | undefined {
  const broken = boundsBroken(bounds);
  return broken && ((s) => broken(s).length > 0);
}

/** `error-rate outside its bound`, `error-rate, latency outside their bounds`: what a minute showed. */
export function breachText(bounds: readonly MetricBound[], s: Sample): string {
  const names = (boundsBroken(bounds)?.(s) ?? []).map((b) => b.name);
  return names.length === 1 ? `${names[0]} outside its bound` : `${names.join(', ')} outside their bounds`;
}

/** The hypothesis's metric bounds over the minutes from `from` on, as the service's own signal of user impact. */
export interface BoundsHistory {
  /** The minutes (samples) outside any bound. */
  outside: TimedSample[];
  /**
   * The first minute after the last one outside, from which every bound held to the end: undefined
   * when no minute was outside, null when the last minute sampled is still outside.
   */
  back: TimedSample | null | undefined;
}

export function boundsHistory(
  samples: readonly TimedSample[],
  bounds: readonly MetricBound[],
  from: number,
): BoundsHistory {
  const outside = outsideAnyBound(bounds);
  if (!outside) return { outside: [], back: undefined };
  const out: TimedSample[] = [];
  let back: TimedSample | null | undefined;
  for (const s of samples) {
    if (s.minute < from) continue;
    if (outside(s.sample)) {
      out.push(s);
      back = null;
    } else if (back === null) back = s;
  }
  return { outside: out, back };
}
