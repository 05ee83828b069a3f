import { distributionWithP99, type LatencyDistribution, p99AtUtilisation } from './latency.ts';
import type { DependencyImpact } from './part.ts';

/** The state of one load balancer and what it is offered, at one instant. */
export interface TrafficConditions {
  /** Requests per second arriving at this load balancer. */
  offeredRps: number;
  /** Targets the load balancer sends new requests to. */
  routedTargets: number;
  /** Of those, the ones whose application actually answers. */
  routedServing: number;
  capacityPerInstanceRps: number;
  baseLatencyP99Ms: number;
  /** Share (0–1) of answered requests that fail even when everything is healthy. */
  baselineErrorRatio: number;
  /** Share (0–1) of answered requests that fail because the database writer is unavailable. */
  writeFailureRatio: number;
  /** Multiplier on latency (noise); 1 for none. */
  latencyFactor: number;
  /** What the service's other dependencies (its session cache, the ECS service it calls) do to its requests. */
  dependencies?: DependencyImpact;
}

/** Requests per second by outcome, and the latency of the requests a target answered. */
export interface TrafficRates {
  requests: number;
  /** Errors the load balancer itself returns: no target to route to, or the target did not answer (502/503/504). */
  elb5xx: number;
  /** Errors the application returns: load shed above capacity, failed database writes, background errors. */
  target5xx: number;
  /** Requests a target answered (successes and target 5xx): TargetResponseTime's sample count. */
  answered: number;
  /** Load on each routed target relative to its capacity. */
  utilisation: number;
  latency: LatencyDistribution;
}

/**
 * The traffic model: how one load balancer's state turns offered load into outcomes. The ALB
 * spreads requests evenly over the targets it routes to (cross-zone load balancing); a request
 * sent to a target that does not answer is an ELB 5xx; a target above capacity sheds the excess
 * as 503s and its latency follows its utilisation.
 */
export function computeTraffic(c: TrafficConditions): TrafficRates {
  const requests = Math.max(0, c.offeredRps);
  if (c.routedTargets <= 0) {
    return {
      requests,
      elb5xx: requests,
      target5xx: 0,
      answered: 0,
      utilisation: 0,
      latency: distributionWithP99(c.baseLatencyP99Ms),
    };
  }
  const utilisation = requests / c.routedTargets / c.capacityPerInstanceRps;
  const unanswered = (requests * (c.routedTargets - c.routedServing)) / c.routedTargets;
  const answered = requests - unanswered;
  const shed = utilisation > 1 ? answered * (1 - 1 / utilisation) : 0;
  const handled = answered - shed;
  const failedWrites = handled * c.writeFailureRatio;
  const failedDependencies = (handled - failedWrites) * (c.dependencies?.errorRatio ?? 0);
  const background = (handled - failedWrites - failedDependencies) * c.baselineErrorRatio;
  const p99 = p99AtUtilisation(utilisation, c.baseLatencyP99Ms) + (c.dependencies?.addedLatencyMs ?? 0);
  return {
    requests,
    elb5xx: unanswered,
    target5xx: shed + failedWrites + failedDependencies + background,
    answered,
    utilisation,
    latency: distributionWithP99(p99 * c.latencyFactor),
  };
}

/**
 * Share (0–1) of Route 53 health-check probes the endpoint answers: a probe is a shallow request
 * (no database write), so it succeeds when it reaches a target that answers and is not shed.
 */
export function probeSuccessRatio(c: TrafficConditions): number {
  if (c.routedTargets <= 0) return 0;
  const reachesServing = c.routedServing / c.routedTargets;
  const utilisation = c.offeredRps / c.routedTargets / c.capacityPerInstanceRps;
  return utilisation > 1 ? reachesServing / utilisation : reachesServing;
}
