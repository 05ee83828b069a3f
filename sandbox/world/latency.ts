/**
 * Response-time distributions. Each 10-second slice of traffic has a log-normal latency
 * distribution; a minute's percentiles are the percentiles of the mixture of its slices (weighted
 * by the requests answered in each), which is what CloudWatch computes from the raw samples.
 */

/** A log-normal distribution, by its median (ms) and the standard deviation of ln(latency). */
export interface LatencyDistribution {
  medianMs: number;
  sigma: number;
}

export interface WeightedLatency {
  weight: number;
  dist: LatencyDistribution;
}

/** p99 / p50 of a request's response time: a typical web service's tail. */
const TAIL_RATIO = 3;
const Z = { p50: 0, p90: 1.2815516, p99: 2.3263479, p9999: 3.7190165 } as const;
const SIGMA = Math.log(TAIL_RATIO) / Z.p99;
/** Utilisation at which queueing delay stops growing in the model (beyond it, load is shed instead). */
const MAX_UTILISATION = 0.97;

/**
 * p99 latency of a target at utilisation `u`: `base` when idle, rising like an M/M/1 queue's
 * response time (1 / (1 - u)), capped where the target starts shedding load.
 */
export function p99AtUtilisation(u: number, baseP99Ms: number): number {
  const busy = Math.min(Math.max(u, 0), MAX_UTILISATION);
  return baseP99Ms * (0.5 + 0.5 / (1 - busy));
}

export function distributionWithP99(p99Ms: number): LatencyDistribution {
  return { medianMs: p99Ms / TAIL_RATIO, sigma: SIGMA };
}

export function quantileOf(d: LatencyDistribution, z: number): number {
  return d.medianMs * Math.exp(d.sigma * z);
}

export function meanOf(d: LatencyDistribution): number {
  return d.medianMs * Math.exp((d.sigma * d.sigma) / 2);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26; absolute error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The `q` quantile (0–1) of a weighted mixture of log-normals, by bisection on ln(latency). */
export function mixtureQuantile(parts: readonly WeightedLatency[], q: number): number {
  const live = parts.filter((p) => p.weight > 0);
  if (live.length === 0) return 0;
  const total = live.reduce((s, p) => s + p.weight, 0);
  const cdf = (lnX: number) =>
    live.reduce((s, p) => s + p.weight * normalCdf((lnX - Math.log(p.dist.medianMs)) / p.dist.sigma), 0) /
    total;
  let lo = Math.min(...live.map((p) => Math.log(p.dist.medianMs) - 6 * p.dist.sigma));
  let hi = Math.max(...live.map((p) => Math.log(p.dist.medianMs) + 6 * p.dist.sigma));
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

export interface LatencySummary {
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/** Count, sum, extremes and percentiles of a mixture, as a CloudWatch statistic set reports them. */
export function summarise(parts: readonly WeightedLatency[]): LatencySummary | undefined {
  const live = parts.filter((p) => p.weight > 0);
  if (live.length === 0) return undefined;
  return {
    count: live.reduce((s, p) => s + p.weight, 0),
    sumMs: live.reduce((s, p) => s + p.weight * meanOf(p.dist), 0),
    // The fastest and slowest of many thousand requests: the 1-in-10,000 tails of the slices.
    minMs: Math.min(...live.map((p) => quantileOf(p.dist, -Z.p9999))),
    maxMs: Math.max(...live.map((p) => quantileOf(p.dist, Z.p9999))),
    p50Ms: mixtureQuantile(live, 0.5),
    p90Ms: mixtureQuantile(live, 0.9),
    p99Ms: mixtureQuantile(live, 0.99),
  };
}
