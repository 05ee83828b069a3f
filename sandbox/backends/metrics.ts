/** One aggregated datapoint for one metric and one period, as CloudWatch stores it. */
export interface Datapoint {
  /** Start of the period, epoch milliseconds. */
  timestamp: number;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  unit: string;
  /** Pre-computed percentiles (`p99` → value) for metrics the world publishes with a distribution. */
  percentiles?: Record<string, number>;
  /**
   * The raw values behind the datapoint, when they are known (PutMetricData with `Value` or
   * `Values`/`Counts`): exact percentiles over any period can be computed from them.
   */
  samples?: { value: number; count: number }[];
}

export type Dimensions = Record<string, string>;

export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: Dimensions;
}

export function metricKey(m: MetricId): string {
  const dims = Object.keys(m.dimensions)
    .sort()
    .map((k) => `${k}=${m.dimensions[k]}`)
    .join(',');
  return `${m.namespace}|${m.metricName}|${dims}`;
}

interface Series extends MetricId {
  points: Datapoint[];
}

/**
 * CloudWatch's metric store: raw one-minute datapoints per metric (namespace, name and exact
 * dimension set, as CloudWatch matches them). The world publishes its traffic model's metrics here
 * each minute; PutMetricData adds to it; alarms and GetMetricData read it.
 */
export class MetricStore {
  private readonly series = new Map<string, Series>();

  put(id: MetricId, dp: Datapoint): void {
    const key = metricKey(id);
    let s = this.series.get(key);
    if (!s) {
      s = {
        namespace: id.namespace,
        metricName: id.metricName,
        dimensions: { ...id.dimensions },
        points: [],
      };
      this.series.set(key, s);
    }
    // Keep points ordered by timestamp; datapoints almost always arrive in order, so scan from the end.
    let i = s.points.length;
    while (i > 0 && s.points[i - 1]!.timestamp > dp.timestamp) i--;
    s.points.splice(i, 0, dp);
  }

  /** Raw datapoints of one metric whose timestamp is in [start, end). */
  points(id: MetricId, start: number, end: number): Datapoint[] {
    const s = this.series.get(metricKey(id));
    if (!s) return [];
    return s.points.filter((p) => p.timestamp >= start && p.timestamp < end);
  }

  /** Timestamp of the metric's newest datapoint, or undefined if it has none. */
  latest(id: MetricId): number | undefined {
    const s = this.series.get(metricKey(id));
    return s?.points.at(-1)?.timestamp;
  }

  /** Metrics matching a namespace / name / dimension filter (ListMetrics' semantics: dimensions must all be present). */
  list(filter: {
    namespace?: string;
    metricName?: string;
    dimensions?: { name: string; value?: string }[];
  }): MetricId[] {
    const out: MetricId[] = [];
    for (const s of this.series.values()) {
      if (filter.namespace && s.namespace !== filter.namespace) continue;
      if (filter.metricName && s.metricName !== filter.metricName) continue;
      if (
        filter.dimensions?.some(
          (d) => !(d.name in s.dimensions) || (d.value !== undefined && s.dimensions[d.name] !== d.value),
        )
      ) {
        continue;
      }
      out.push({ namespace: s.namespace, metricName: s.metricName, dimensions: { ...s.dimensions } });
    }
    return out;
  }
}
