import type { ExperimentSpec, sampleMetricsSpec } from '../experiments/schema.ts';
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

export function sampleMetricsOf(spec: ExperimentSpec): SampleMetrics {
  return spec.metrics ?? defaultSampleMetrics(spec.service);
}

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
  };
}

/** Whether any metric had data in that minute. */
export function hasData(sample: MetricsSample): boolean {
  return (
    sample.requestRate !== null ||
    sample.errorRatePercent !== null ||
    sample.p99LatencyMs !== null ||
    sample.replicaLagMs !== null ||
    (sample.concurrency ?? null) !== null ||
    Object.keys(sample.healthyHostsByAz).length > 0
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
  ].join(', ');
}
