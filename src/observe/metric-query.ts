import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { awsCall } from '../aws/errors.ts';

export const MINUTE_MS = 60_000;

/** A CloudWatch metric and the statistic to read, as experiment files name them. */
export interface MetricRef {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  statistic: string;
}

/** Minute start (epoch ms) → the statistic's value in that minute; minutes without data are absent. */
export type MinuteSeries = Map<number, number>;

/** Start of the minute `at` falls in. */
export function minuteOf(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** Start of the last minute that has ended at `now`. */
export function lastCompleteMinute(now: Date): number {
  return minuteOf(now) - MINUTE_MS;
}

/** GetMetricData takes at most this many queries per call. */
const MAX_QUERIES = 500;

/**
 * One-minute values of several metrics over [from, to), in as few GetMetricData calls as the API
 * allows. The result is keyed like the input.
 */
export async function readMinutes<K extends string>(
  cloudwatch: CloudWatchClient,
  metrics: Record<K, MetricRef>,
  from: number,
  to: number,
): Promise<Record<K, MinuteSeries>> {
  const keys = Object.keys(metrics) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, new Map()])) as Record<K, MinuteSeries>;
  if (keys.length === 0 || to <= from) return out;
  for (let offset = 0; offset < keys.length; offset += MAX_QUERIES) {
    const chunk = keys.slice(offset, offset + MAX_QUERIES);
    // Query ids must start with a lower-case letter and hold only letters, digits and underscores.
    const queries: MetricDataQuery[] = chunk.map((key, i) => {
      const m = metrics[key];
      return {
        Id: `m${i}`,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: m.namespace,
            MetricName: m.metric,
            Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: 60,
          Stat: m.statistic,
        },
      };
    });
    let nextToken: string | undefined;
    do {
      const page = await awsCall('read metrics', () =>
        cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(from),
            EndTime: new Date(to),
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        ),
      );
      for (const r of page.MetricDataResults ?? []) {
        const key = chunk[Number(r.Id?.slice(1))];
        if (key === undefined) continue;
        const series = out[key];
        (r.Timestamps ?? []).forEach((t, i) => {
          const v = r.Values?.[i];
          if (v !== undefined) series.set(minuteOf(t), v);
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return out;
}

/** The value of the latest minute that has data, if any. */
export function latest(series: MinuteSeries): { minute: number; value: number } | undefined {
  let best: { minute: number; value: number } | undefined;
  for (const [minute, value] of series) if (!best || minute > best.minute) best = { minute, value };
  return best;
}

/** How a metric reads in reports: `Faultline/Service ErrorRate (Service=checkout) Average`. */
export function describeMetric(m: MetricRef): string {
  const dims = Object.entries(m.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${m.namespace} ${m.metric}${dims ? ` (${dims})` : ''} ${m.statistic}`;
}
