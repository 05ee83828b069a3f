import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ExperimentSpec } from '../experiments/schema.ts';
import {
  describeMetric,
  lastCompleteMinute,
  latest,
  MINUTE_MS,
  type MinuteSeries,
  readMinutes,
} from '../observe/metric-query.ts';
import { parseIsoDuration } from '../time/duration.ts';

export type AbortBound = ExperimentSpec['guardrails']['abortWhen'][number];

export interface StopDecision {
  code: 'guardrail' | 'kill-switch' | 'max-duration';
  reason: string;
}

/** The fault has run longer than guardrails.maxDuration allows. */
export function maxDurationExceeded(
  spec: ExperimentSpec,
  startedAt: Date,
  now: Date,
): StopDecision | undefined {
  const limit = parseIsoDuration(spec.guardrails.maxDuration)!;
  const elapsed = now.getTime() - startedAt.getTime();
  if (elapsed <= limit) return undefined;
  return {
    code: 'max-duration',
    reason: `guardrails.maxDuration: the experiment has run ${Math.floor(elapsed / MINUTE_MS)} min, longer than ${spec.guardrails.maxDuration}`,
  };
}

function crosses(bound: AbortBound, v: number): boolean {
  return (bound.above !== undefined && v > bound.above) || (bound.below !== undefined && v < bound.below);
}

/**
 * Whether a bound has been crossed in each of its last `forMinutes` minutes: the latest minute
 * with data (at most one minute late, CloudWatch being CloudWatch) and the ones before it, all
 * present. A gap in the data is not a crossing: stopping a fault is for evidence, not silence.
 */
export function crossedFor(bound: AbortBound, series: MinuteSeries, lastComplete: number): boolean {
  const newest = latest(series);
  if (!newest || newest.minute < lastComplete - MINUTE_MS) return false;
  for (let i = 0; i < bound.forMinutes; i++) {
    const v = series.get(newest.minute - i * MINUTE_MS);
    if (v === undefined || !crosses(bound, v)) return false;
  }
  return true;
}

/** guardrails.abortWhen, evaluated now: the first bound crossed for long enough, if any. */
export async function abortBoundCrossed(
  cloudwatch: CloudWatchClient,
  spec: ExperimentSpec,
  now: Date,
): Promise<StopDecision | undefined> {
  const bounds = spec.guardrails.abortWhen;
  if (bounds.length === 0) return undefined;
  const last = lastCompleteMinute(now);
  const longest = Math.max(...bounds.map((b) => b.forMinutes));
  const series = await readMinutes(
    cloudwatch,
    Object.fromEntries(bounds.map((b, i) => [String(i), b])),
    last - longest * MINUTE_MS,
    last + MINUTE_MS,
  );
  for (const [i, b] of bounds.entries()) {
    if (!crossedFor(b, series[String(i)]!, last)) continue;
    const limit = b.above !== undefined ? `above ${b.above}` : `below ${b.below}`;
    return {
      code: 'guardrail',
      reason: `guardrails.abortWhen[${i}]: ${describeMetric(b)} has been ${limit} for ${b.forMinutes} min`,
    };
  }
  return undefined;
}
