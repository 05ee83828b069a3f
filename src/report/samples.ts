import type { metricBound } from '../experiments/schema.ts';
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

/**
 * How a hypothesis metric bound (named as CloudWatch names it) reads off a timeline sample, in the
 * bound's own unit; undefined when the samples do not carry that metric (the bound is then
 * reported as not evaluated rather than guessed).
 */
export function boundReader(bound: MetricBound): ((s: Sample) => number | null) | undefined {
  const az = bound.dimensions.AvailabilityZone;
  switch (`${bound.namespace}/${bound.metric}`) {
    case 'Faultline/Service/ErrorRate':
      return (s) => s.errorRatePercent;
    case 'Faultline/Service/Availability':
      return (s) => (s.errorRatePercent === null ? null : 100 - s.errorRatePercent);
    case 'Faultline/Service/LatencyP99':
      return (s) => s.p99LatencyMs;
    case 'AWS/ApplicationELB/TargetResponseTime':
      // CloudWatch has it in seconds; only the p99 is sampled.
      return bound.statistic === 'p99'
        ? (s) => (s.p99LatencyMs === null ? null : s.p99LatencyMs / 1000)
        : undefined;
    case 'AWS/ApplicationELB/HealthyHostCount':
      return az ? (s) => s.healthyHostsByAz[az] ?? null : totalHealthyHosts;
    case 'AWS/RDS/AuroraReplicaLag':
      return (s) => s.replicaLagMs;
    default:
      return undefined;
  }
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
