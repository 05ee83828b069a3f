import type { ExperimentSpec, ExtraMetric, sampleMetricsSpec } from '../experiments/schema.ts';
import type { EventKinds } from '../timeline/kinds.ts';
import type * as z from '../zod.ts';
import type { MetricRef, MinuteSeries } from './metric-query.ts';

export type SampleMetrics = z.infer<typeof sampleMetricsSpec>;
export type MetricsSample = EventKinds['metrics.sample'];

/**
 * The sandbox world's catalogue (checkout): the service's own EMF metrics, its load balancer's
 * healthy hosts per AZ and its Aurora cluster's replica lag. The service's metrics take the
 * experiment's service as their `Service` dimension; the load balancer and database names are
 * checkout's, so another service declares its own under `metrics:`.
 */
export function defaultSampleMetrics(service: string): SampleMetrics {
  const own = (metric: string, statistic: string): MetricRef => ({
    namespace: 'Faultline/Service',
    metric,
    dimensions: { Service: service },
    statistic,
  });
  return {
    requestCount: own('RequestCount', 'Sum'),
    errorRate: own('ErrorRate', 'Average'),
    p99Latency: own('LatencyP99', 'Maximum'),
    healthyHosts: {
      namespace: 'AWS/ApplicationELB',
      metric: 'HealthyHostCount',
      dimensions: {
        TargetGroup: 'targetgroup/checkout-tg/73e2d6bc24d8a067',
        LoadBalancer: 'app/checkout-alb/50dc6c495c0c9188',
      },
      statistic: 'Minimum',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    },
    replicaLag: {
      namespace: 'AWS/RDS',
      metric: 'AuroraReplicaLag',
      dimensions: { DBClusterIdentifier: 'checkout-db' },
      statistic: 'Maximum',
    },
  };
}

/** What the experiment samples; `metrics:` with nothing but `extra` adds it to the default catalogue. */
export function sampleMetricsOf(spec: ExperimentSpec): SampleMetrics {
  const m = spec.metrics;
  if (!m) return defaultSampleMetrics(spec.service);
  const { extra, ...fields } = m;
  return extra === undefined || Object.keys(fields).length > 0
    ? m
    : { ...defaultSampleMetrics(spec.service), extra };
}

/** The query of each line of an extra metric, keyed by its series value (null: the metric's one line). */
export function extraLines(m: ExtraMetric): Array<{ series: string | null; query: MetricRef }> {
  const { namespace, metric, dimensions, statistic, series } = m;
  if (!series) return [{ series: null, query: { namespace, metric, dimensions, statistic } }];
  return series.values.map((v) => ({
    series: v,
    query: { namespace, metric, dimensions: { ...dimensions, [series.dimension]: v }, statistic },
  }));
}

const extraKey = (name: string, series: string | null) =>
  series === null ? `extra:${name}` : `extra:${name}:${series}`;

/** The queries behind one sample, keyed so that `sampleAt` can read them back. */
export function sampleQueries(m: SampleMetrics): Record<string, MetricRef> {
  const q: Record<string, MetricRef> = {};
  if (m.requestCount) q.requestCount = m.requestCount;
  if (m.errorRate) q.errorRate = m.errorRate;
  if (m.p99Latency) q.p99Latency = m.p99Latency;
  if (m.replicaLag) q.replicaLag = m.replicaLag;
  if (m.concurrency) q.concurrency = m.concurrency;
  if (m.healthyHosts) {
    const { availabilityZones, ...metric } = m.healthyHosts;
    for (const az of availabilityZones) {
      q[`healthyHosts:${az}`] = { ...metric, dimensions: { ...metric.dimensions, AvailabilityZone: az } };
    }
  }
  for (const x of m.extra ?? []) {
    for (const line of extraLines(x)) q[extraKey(x.name, line.series)] = line.query;
  }
  return q;
}

/** The service in one minute, from the series `sampleQueries` asked for; null where there was no data. */
export function sampleAt(
  m: SampleMetrics,
  series: Record<string, MinuteSeries>,
  minute: number,
): MetricsSample {
  const value = (key: string) => series[key]?.get(minute) ?? null;
  const requests = value('requestCount');
  const healthyHostsByAz: Record<string, number> = {};
  for (const az of m.healthyHosts?.availabilityZones ?? []) {
    const v = value(`healthyHosts:${az}`);
    if (v !== null) healthyHostsByAz[az] = v;
  }
  return {
    requestRate: requests === null ? null : Math.round((requests / 60) * 100) / 100,
    errorRatePercent: value('errorRate'),
    p99LatencyMs: value('p99Latency'),
    healthyHostsByAz,
    replicaLagMs: value('replicaLag'),
    // Only where sampled, so that a sample of a service without functions keeps its shape.
    ...(m.concurrency ? { concurrency: value('concurrency') } : {}),
    ...(m.extra && m.extra.length > 0 ? { extra: extraAt(m.extra, value) } : {}),
  };
}

/**
 * Each extra metric's value in the minute: a number (null without data) for a metric of one line;
 * for one of several (`series`), series value → number, without the lines that had no data (as a
 * powered-off cache node publishes nothing).
 */
function extraAt(
  metrics: readonly ExtraMetric[],
  value: (key: string) => number | null,
): NonNullable<MetricsSample['extra']> {
  const out: NonNullable<MetricsSample['extra']> = {};
  for (const x of metrics) {
    if (!x.series) {
      out[x.name] = value(extraKey(x.name, null));
      continue;
    }
    const lines: Record<string, number> = {};
    for (const v of x.series.values) {
      const n = value(extraKey(x.name, v));
      if (n !== null) lines[v] = n;
    }
    out[x.name] = lines;
  }
  return out;
}

/** Every value of a sample's extra metrics. */
function extraValues(s: MetricsSample): number[] {
  return Object.values(s.extra ?? {}).flatMap((v) =>
    v === null ? [] : typeof v === 'number' ? [v] : Object.values(v),
  );
}

/** Whether any metric had data in that minute. */
export function hasData(sample: MetricsSample): boolean {
  return (
    sample.requestRate !== null ||
    sample.errorRatePercent !== null ||
    sample.p99LatencyMs !== null ||
    sample.replicaLagMs !== null ||
    (sample.concurrency ?? null) !== null ||
    Object.keys(sample.healthyHostsByAz).length > 0 ||
    extraValues(sample).length > 0
  );
}

/** One line a person reads. */
export function describeSample(s: MetricsSample): string {
  const n = (v: number | null, unit: string, digits = 1) =>
    v === null ? 'n/a' : `${v.toFixed(digits)}${unit}`;
  const hosts = Object.entries(s.healthyHostsByAz)
    .map(([az, v]) => `${az.slice(-1)}:${v}`)
    .join(' ');
  return [
    `${n(s.requestRate, ' rps', 0)}`,
    `${n(s.errorRatePercent, '% 5xx', 2)}`,
    `p99 ${n(s.p99LatencyMs, ' ms', 0)}`,
    ...(hosts ? [`healthy ${hosts}`] : []),
    `lag ${n(s.replicaLagMs, ' ms', 0)}`,
    ...(s.concurrency !== undefined ? [`concurrency ${n(s.concurrency, '', 0)}`] : []),
    ...Object.entries(s.extra ?? {}).map(([name, v]) => {
      // Counts as counts (IsMaster 1, not 1.00).
      const round = (x: number | null) => (x === null ? 'n/a' : String(Math.round(x * 100) / 100));
      if (v === null || typeof v === 'number') return `${name} ${round(v)}`;
      const lines = Object.entries(v).map(([series, x]) => `${series}:${round(x)}`);
      return `${name} ${lines.length > 0 ? lines.join(' ') : 'n/a'}`;
    }),
  ].join(', ');
}
