import type { metricBound } from '../experiments/schema.ts';
import type { EventKinds } from '../timeline/kinds.ts';
import type * as z from '../zod.ts';
import type { Fact } from './timeline.ts';

export type Sample = EventKinds['metrics.sample'];
export type MetricBound = z.infer<typeof metricBound>;

/** A metric sample and the start of its minute (epoch ms). */
export interface TimedSample {
  minute: number;
  sample: Sample;
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
    if (last && last.minute === minute) last.sample = f.typed.detail;
    else out.push({ minute, sample: f.typed.detail });
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
