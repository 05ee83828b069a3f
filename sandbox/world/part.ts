import type { Dimensions, MetricStore } from '../backends/metrics.ts';
import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { RandomStream } from '../rng.ts';

/**
 * A resource the service depends on besides its fleet and database (its session cache, the ECS
 * service it calls): sampled with the traffic every 10 s, publishing its own metrics each minute,
 * and telling the traffic model what it does to the service's requests.
 */
export interface WorldPart {
  /** Records the part's state over the slice that ends now. */
  sample(now: number): void;
  /** Publishes the minute starting at `minuteStart` from the slices sampled since the last flush. */
  flush(minuteStart: number): void;
  /** What the part does now to the service's requests, when it is offered `offeredRps`. */
  impact(offeredRps: number): DependencyImpact;
}

/** What a part is given by the world. */
export interface PartDeps {
  clock: VirtualClock;
  /** Its own stream, so that its draws do not shift the rest of the world's. */
  rng: RandomStream;
  bus: EventBus;
  metrics: MetricStore;
  arn(service: string, resource: string): string;
  /** Whether the service can reach the AZ's subnets (a network disruption may cut it off). */
  azReachable(az: string): boolean;
  /** Tags every resource of the service carries. */
  serviceTags: Record<string, string>;
}

/** What a dependency adds to the service's requests. */
export interface DependencyImpact {
  /** Share (0–1) of handled requests that fail because of it. */
  errorRatio: number;
  /** Milliseconds it adds to the service's p99 latency. */
  addedLatencyMs: number;
}

export const NO_IMPACT: DependencyImpact = { errorRatio: 0, addedLatencyMs: 0 };

/** Several dependencies at once: a request fails when any of them fails it; their delays add up. */
export function combineImpacts(impacts: readonly DependencyImpact[]): DependencyImpact {
  let succeeds = 1;
  let addedLatencyMs = 0;
  for (const i of impacts) {
    succeeds *= 1 - i.errorRatio;
    addedLatencyMs += i.addedLatencyMs;
  }
  return { errorRatio: 1 - succeeds, addedLatencyMs };
}

/**
 * A minute's samples of a part's gauges, published as one datapoint per metric (count, sum,
 * minimum, maximum), stamped with the start of the minute. A metric with no sample in a minute
 * (a node without power) publishes nothing for it, as CloudWatch then shows no data.
 */
export class MinuteGauges {
  private readonly store: MetricStore;
  private readonly pending = new Map<
    string,
    { namespace: string; name: string; dims: Dimensions; unit: string; values: number[] }
  >();

  constructor(store: MetricStore) {
    this.store = store;
  }

  add(namespace: string, name: string, dims: Dimensions, value: number, unit: string): void {
    const key = `${namespace}|${name}|${JSON.stringify(dims)}`;
    let p = this.pending.get(key);
    if (!p) {
      p = { namespace, name, dims, unit, values: [] };
      this.pending.set(key, p);
    }
    p.values.push(value);
  }

  flush(minuteStart: number): void {
    for (const p of this.pending.values()) {
      this.store.put(
        { namespace: p.namespace, metricName: p.name, dimensions: p.dims },
        {
          timestamp: minuteStart,
          sampleCount: p.values.length,
          sum: p.values.reduce((a, b) => a + b, 0),
          min: Math.min(...p.values),
          max: Math.max(...p.values),
          unit: p.unit,
        },
      );
    }
    this.pending.clear();
  }
}

/** A duration in milliseconds drawn from a `[min, max]` seconds range of a world file. */
export function drawMs(rng: RandomStream, [min, max]: readonly [number, number]): number {
  return Math.round(rng.between(min, max) * 1000);
}
