import type { Datapoint, MetricId, MetricStore } from './metrics.ts';

export const BASIC_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type BasicStatistic = (typeof BASIC_STATISTICS)[number];

/** A statistic as CloudWatch names them: one of the five basic ones, or a percentile (`p99`, `p99.9`). */
export type Stat =
  | { kind: 'basic'; name: BasicStatistic }
  | { kind: 'percentile'; percentile: number; name: string };

/**
 * Parses a statistic name. Percentiles are the only extended statistics the sandbox computes
 * (trimmed means, winsorized means and the like are not), so anything else is undefined.
 */
export function parseStat(name: string): Stat | undefined {
  if ((BASIC_STATISTICS as readonly string[]).includes(name))
    return { kind: 'basic', name: name as BasicStatistic };
  const m = /^p(\d{1,3}(?:\.\d{1,10})?)$/.exec(name);
  if (!m) return undefined;
  const percentile = Number(m[1]);
  if (!(percentile >= 0 && percentile <= 100)) return undefined;
  return { kind: 'percentile', percentile, name };
}

/** One period's statistics over the raw datapoints that fall into it. */
export interface PeriodStats {
  /** Start of the period, epoch milliseconds. */
  timestamp: number;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  unit: string;
  points: Datapoint[];
}

/** Combines the raw datapoints of one period (undefined when there are none). */
export function combine(timestamp: number, points: Datapoint[]): PeriodStats | undefined {
  if (points.length === 0) return undefined;
  let sampleCount = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    sampleCount += p.sampleCount;
    sum += p.sum;
    min = Math.min(min, p.min);
    max = Math.max(max, p.max);
  }
  return { timestamp, sampleCount, sum, min, max, unit: points[0]!.unit, points };
}

/** The value of one statistic for a period, or undefined when CloudWatch would have no value for it. */
export function statValue(stats: PeriodStats, stat: Stat): number | undefined {
  if (stat.kind === 'percentile') return percentileOf(stats.points, stat.percentile);
  switch (stat.name) {
    case 'SampleCount':
      return stats.sampleCount;
    case 'Sum':
      return stats.sum;
    case 'Minimum':
      return stats.min;
    case 'Maximum':
      return stats.max;
    case 'Average':
      return stats.sampleCount > 0 ? stats.sum / stats.sampleCount : undefined;
  }
}

/**
 * A percentile over a period's datapoints. Exact (nearest rank) when every datapoint carries its
 * raw samples; otherwise from the percentiles the world pre-computed for each minute — exact for
 * one-minute periods, and a sample-weighted mean of the minutes' percentiles for longer ones (the
 * sandbox keeps no full distributions). Undefined when neither is known, as for StatisticSet data.
 */
export function percentileOf(points: Datapoint[], percentile: number): number | undefined {
  if (points.length === 0) return undefined;
  if (points.every((p) => p.samples && p.samples.length > 0)) {
    return nearestRank(
      points.flatMap((p) => p.samples!),
      percentile,
    );
  }
  const key = percentileKey(percentile);
  if (!points.every((p) => p.percentiles?.[key] !== undefined)) return undefined;
  let weight = 0;
  let total = 0;
  for (const p of points) {
    const w = Math.max(p.sampleCount, 1);
    weight += w;
    total += p.percentiles![key]! * w;
  }
  return total / weight;
}

function nearestRank(samples: { value: number; count: number }[], percentile: number): number {
  const sorted = [...samples].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, s) => n + s.count, 0);
  const rank = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (const s of sorted) {
    seen += s.count;
    if (seen >= rank) return s.value;
  }
  return sorted.at(-1)!.value;
}

/** The key the world stores a percentile under: `p99`, `p99.9`. */
export function percentileKey(percentile: number): string {
  return `p${percentile}`;
}

/**
 * Whether a percentile over this many samples is statistically weak, as CloudWatch decides it for
 * EvaluateLowSampleCountPercentile: fewer than 10/(1-p) samples for p ≥ 0.5, fewer than 10/p below.
 */
export function isLowSampleCount(sampleCount: number, percentile: number): boolean {
  const p = percentile / 100;
  if (p >= 1 || p <= 0) return false;
  const needed = p >= 0.5 ? 10 / (1 - p) : 10 / p;
  return sampleCount < needed;
}

/**
 * A metric's datapoints grouped into consecutive periods of `periodMs` starting at `start`, up to
 * `end` (exclusive). Only periods with data are returned, oldest first. `unit`, when given, keeps
 * only datapoints published with that unit, as CloudWatch's Unit filters do.
 */
export function periods(
  store: MetricStore,
  id: MetricId,
  start: number,
  end: number,
  periodMs: number,
  unit?: string,
): PeriodStats[] {
  const byPeriod = new Map<number, Datapoint[]>();
  for (const p of store.points(id, start, end)) {
    if (unit !== undefined && p.unit !== unit) continue;
    const t = start + Math.floor((p.timestamp - start) / periodMs) * periodMs;
    const list = byPeriod.get(t);
    if (list) list.push(p);
    else byPeriod.set(t, [p]);
  }
  const out: PeriodStats[] = [];
  for (const [t, points] of [...byPeriod].sort((a, b) => a[0] - b[0])) {
    const stats = combine(t, points);
    if (stats) out.push(stats);
  }
  return out;
}
