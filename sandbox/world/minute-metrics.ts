import type { Datapoint, Dimensions, MetricStore } from '../backends/metrics.ts';
import type { HostCounts } from './alb.ts';
import { type LatencySummary, summarise, type WeightedLatency } from './latency.ts';
import type { WorldDefinition } from './schema.ts';
import type { ServerlessSlice } from './serverless.ts';
import { publishServerless } from './serverless-metrics.ts';
import type { TrafficRates } from './traffic.ts';

/** The ALB's `LoadBalancer` dimension value (the suffix of its ARN), as in the metric catalogue. */
export function loadBalancerDimension(def: WorldDefinition): string {
  return `app/${def.loadBalancer?.name}/50dc6c495c0c9188`;
}

/** The target group's `TargetGroup` dimension value (the suffix of its ARN). */
export function targetGroupDimension(def: WorldDefinition): string {
  return `targetgroup/${def.service.name}-tg/73e2d6bc24d8a067`;
}

/** The standby's load balancer and target group dimension values, when the world has a standby. */
export function standbyDimensions(
  def: WorldDefinition,
): { TargetGroup: string; LoadBalancer: string } | undefined {
  if (!def.standby) return undefined;
  return {
    TargetGroup: `targetgroup/${def.service.name}-standby-tg/2f4e6a8c0b1d3e57`,
    LoadBalancer: `app/${def.standby.loadBalancer.name}/a3c1e5f7b9d20468`,
  };
}

/** What the world looked like over one short slice of a minute. */
export interface TrafficSlice {
  seconds: number;
  /** Requests per second at the primary region's load balancer, by outcome. */
  primary: TrafficRates;
  /** Requests per second the standby region serves (after a DNS failover). */
  standby: TrafficRates;
  hosts: { total: HostCounts; byAz: Record<string, HostCounts> };
  /** The standby's hosts per AZ; undefined without a standby. */
  standbyHostsByAz: Record<string, HostCounts> | undefined;
  /** Aurora replica lag (ms); undefined when the world has no database. */
  replicaLagMs: number | undefined;
  /** The standby's Global Database replication lag (ms), while it is a secondary. */
  standbyLagMs: number | undefined;
  /** The serverless service over the slice, in a serverless world. */
  serverless: ServerlessSlice | undefined;
}

interface HostExtremes {
  minHealthy: number;
  maxUnhealthy: number;
}

/**
 * Adds up a minute's slices and publishes them as the metric catalogue says: one datapoint per
 * metric, stamped with the start of the minute.
 */
export class MinuteMetrics {
  private readonly def: WorldDefinition;
  private readonly store: MetricStore;
  private slices: TrafficSlice[] = [];

  constructor(def: WorldDefinition, store: MetricStore) {
    this.def = def;
    this.store = store;
  }

  add(slice: TrafficSlice): void {
    this.slices.push(slice);
  }

  /** Publishes the minute starting at `minuteStart` from the slices added since the last flush. */
  flush(minuteStart: number): void {
    const slices = this.slices;
    this.slices = [];
    if (slices.length === 0) return;
    if (this.def.loadBalancer) {
      const primary = {
        TargetGroup: targetGroupDimension(this.def),
        LoadBalancer: loadBalancerDimension(this.def),
      };
      this.publishLoadBalancer(primary.LoadBalancer, slices, (s) => s.primary, minuteStart);
      this.publishHosts(primary, slices, (s) => s.hosts, minuteStart);
    }
    if (this.def.serverless) {
      publishServerless(this.def.serverless, slices, minuteStart, (ns, name, dims, dp) =>
        this.put(ns, name, dims, dp),
      );
    }
    const standby = standbyDimensions(this.def);
    if (standby) {
      this.publishLoadBalancer(standby.LoadBalancer, slices, (s) => s.standby, minuteStart);
      this.publishHosts(standby, slices, (s) => standbyHosts(s.standbyHostsByAz ?? {}), minuteStart);
    }
    this.publishService(slices, minuteStart);
    this.publishLag(
      'AuroraReplicaLag',
      this.def.database?.clusterId,
      slices,
      (s) => s.replicaLagMs,
      minuteStart,
    );
    this.publishLag(
      'AuroraGlobalDBRPOLag',
      this.def.standby?.database?.clusterId,
      slices,
      (s) => s.standbyLagMs,
      minuteStart,
    );
  }

  /** One load balancer's request counts and response times. */
  private publishLoadBalancer(
    loadBalancer: string,
    slices: TrafficSlice[],
    rates: (s: TrafficSlice) => TrafficRates,
    ts: number,
  ): void {
    const dims = { LoadBalancer: loadBalancer };
    const put = (name: string, value: number) => this.put('AWS/ApplicationELB', name, dims, count(ts, value));
    put(
      'RequestCount',
      total(slices, (s) => rates(s).requests),
    );
    put(
      'HTTPCode_Target_5XX_Count',
      total(slices, (s) => rates(s).target5xx),
    );
    put(
      'HTTPCode_ELB_5XX_Count',
      total(slices, (s) => rates(s).elb5xx),
    );
    const latency = summarise(slices.map((s) => weighted(s.seconds, rates(s))));
    // Like the ALB, no response time when no target answered anything this minute.
    if (!latency || Math.round(latency.count) === 0) return;
    this.put('AWS/ApplicationELB', 'TargetResponseTime', dims, statisticSet(ts, latency, 'Seconds'));
  }

  /**
   * Host counts as the worst view within the minute (fewest healthy, most unhealthy), so that a
   * target that was unhealthy for part of a minute shows in that minute's datapoint.
   */
  private publishHosts(
    base: { TargetGroup: string; LoadBalancer: string },
    slices: TrafficSlice[],
    hosts: (s: TrafficSlice) => { total: HostCounts; byAz: Record<string, HostCounts> },
    ts: number,
  ): void {
    const emit = (dims: Dimensions, e: HostExtremes) => {
      this.put('AWS/ApplicationELB', 'HealthyHostCount', dims, gauge(ts, e.minHealthy, 'Count'));
      this.put('AWS/ApplicationELB', 'UnHealthyHostCount', dims, gauge(ts, e.maxUnhealthy, 'Count'));
    };
    emit(base, extremes(slices.map((s) => hosts(s).total)));
    const azs = [...new Set(slices.flatMap((s) => Object.keys(hosts(s).byAz)))];
    for (const az of azs) {
      const perAz = slices.map((s) => hosts(s).byAz[az] ?? NO_HOSTS);
      emit({ ...base, AvailabilityZone: az }, extremes(perAz));
    }
  }

  /** The service's own view (EMF): every request its users made, in whichever region served them. */
  private publishService(slices: TrafficSlice[], ts: number): void {
    const dims = { Service: this.def.service.name };
    const requests = Math.round(
      total(slices, (s) => s.primary.requests + s.standby.requests + (s.serverless?.rates.requests ?? 0)),
    );
    const errors = Math.round(
      total(
        slices,
        (s) =>
          s.primary.elb5xx +
          s.primary.target5xx +
          s.standby.elb5xx +
          s.standby.target5xx +
          (s.serverless?.rates.api5xx ?? 0),
      ),
    );
    const errorRate = requests > 0 ? (errors / requests) * 100 : 0;
    this.put('Faultline/Service', 'RequestCount', dims, count(ts, requests));
    this.put('Faultline/Service', 'ErrorRate', dims, gauge(ts, errorRate, 'Percent'));
    this.put('Faultline/Service', 'Availability', dims, gauge(ts, 100 - errorRate, 'Percent'));
    const latency = summarise(
      slices.flatMap((s) => [
        weighted(s.seconds, s.primary),
        weighted(s.seconds, s.standby),
        ...scaled(s.seconds, s.serverless?.rates.latencies ?? []),
      ]),
    );
    if (latency) this.put('Faultline/Service', 'LatencyP99', dims, gauge(ts, latency.p99Ms, 'Milliseconds'));
  }

  /** A replication lag of one cluster, when it had any this minute (a promoted secondary has none). */
  private publishLag(
    metric: string,
    cluster: string | undefined,
    slices: TrafficSlice[],
    lag: (s: TrafficSlice) => number | undefined,
    ts: number,
  ): void {
    const lags = slices.map(lag).filter((l): l is number => l !== undefined);
    if (!cluster || lags.length === 0) return;
    this.put('AWS/RDS', metric, { DBClusterIdentifier: cluster }, samples(ts, lags, 'Milliseconds'));
  }

  private put(namespace: string, metricName: string, dimensions: Dimensions, dp: Datapoint): void {
    this.store.put({ namespace, metricName, dimensions }, dp);
  }
}

/** What a rate (per second) over the slices adds up to. */
export function total(slices: TrafficSlice[], rate: (s: TrafficSlice) => number): number {
  return slices.reduce((sum, s) => sum + rate(s) * s.seconds, 0);
}

function weighted(seconds: number, rates: TrafficRates): WeightedLatency {
  return { weight: rates.answered * seconds, dist: rates.latency };
}

/** Latency parts weighted per second, over a slice of `seconds`. */
export function scaled(seconds: number, parts: readonly WeightedLatency[]): WeightedLatency[] {
  return parts.map((p) => ({ weight: p.weight * seconds, dist: p.dist }));
}

/** A response-time statistic set with its percentiles, in `unit` (Seconds or Milliseconds). */
export function statisticSet(
  timestamp: number,
  l: LatencySummary,
  unit: 'Seconds' | 'Milliseconds',
): Datapoint {
  const v = (ms: number) => (unit === 'Seconds' ? ms / 1000 : ms);
  return {
    timestamp,
    sampleCount: Math.round(l.count),
    sum: v(l.sumMs),
    min: v(l.minMs),
    max: v(l.maxMs),
    unit,
    percentiles: { p50: v(l.p50Ms), p90: v(l.p90Ms), p99: v(l.p99Ms) },
  };
}

/** One value per slice, as a statistic set (Maximum is the worst slice). */
export function samples(timestamp: number, values: readonly number[], unit: string): Datapoint {
  return {
    timestamp,
    sampleCount: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values),
    unit,
  };
}

const NO_HOSTS: HostCounts = { healthy: 0, unhealthy: 0, initial: 0, draining: 0 };

/** A standby's hosts per AZ, and their sum. */
function standbyHosts(byAz: Record<string, HostCounts>): {
  total: HostCounts;
  byAz: Record<string, HostCounts>;
} {
  const total = { ...NO_HOSTS };
  for (const c of Object.values(byAz)) {
    total.healthy += c.healthy;
    total.unhealthy += c.unhealthy;
    total.initial += c.initial;
    total.draining += c.draining;
  }
  return { total, byAz };
}

function extremes(counts: HostCounts[]): HostExtremes {
  return {
    minHealthy: Math.min(...counts.map((c) => c.healthy)),
    maxUnhealthy: Math.max(...counts.map((c) => c.unhealthy)),
  };
}

/** A count for the minute: one sample whose sum is the count. */
export function count(timestamp: number, value: number): Datapoint {
  return gauge(timestamp, Math.max(0, Math.round(value)), 'Count');
}

function gauge(timestamp: number, value: number, unit: string): Datapoint {
  return { timestamp, sampleCount: 1, sum: value, min: value, max: value, unit };
}
