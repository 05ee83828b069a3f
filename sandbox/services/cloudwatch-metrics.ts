import type { MetricDataResult, Datapoint as SdkDatapoint } from '@aws-sdk/client-cloudwatch';
import {
  checkPeriod,
  parseDimensions,
  parseMetricStat,
  queryId,
  STANDARD_UNITS,
} from '../backends/alarm-config.ts';
import { cwError, decodeToken, encodeToken, Fields } from '../backends/cloudwatch-input.ts';
import { BASIC_STATISTICS, parseStat, periods, type Stat, statValue } from '../backends/metric-stats.ts';
import { type Datapoint, type MetricId, type MetricStore, metricKey } from '../backends/metrics.ts';
import type { VirtualClock } from '../clock.ts';
import type { JsonOperation } from '../protocol/json.ts';

const MINUTE_MS = 60_000;
/** CloudWatch takes datapoints up to two weeks old and up to two hours ahead. */
const OLDEST_ACCEPTED_MS = 14 * 86_400_000;
const NEWEST_ACCEPTED_MS = 2 * 3_600_000;
/** Values CloudWatch rejects as too large or too small (AWS: within 2^-260 to 2^360 in magnitude). */
const MAX_MAGNITUDE = 2 ** 360;
const MIN_MAGNITUDE = 2 ** -260;
const MAX_STATISTICS_DATAPOINTS = 1440;
const LIST_METRICS_PAGE = 500;
const HIGH_RESOLUTION_PERIODS = [1, 5, 10, 20, 30];

interface MetricDeps {
  clock: VirtualClock;
  metrics: MetricStore;
}

/** PutMetricData, GetMetricStatistics, GetMetricData and ListMetrics over the sandbox's metric store. */
export function metricOperations(deps: MetricDeps): Record<string, JsonOperation> {
  return {
    PutMetricData: (input) => putMetricData(deps, input),
    GetMetricStatistics: (input) => getMetricStatistics(deps, input),
    GetMetricData: (input) => getMetricData(deps, input),
    ListMetrics: (input) => listMetrics(deps, input),
  };
}

function putMetricData(deps: MetricDeps, input: unknown): Record<string, never> {
  const f = new Fields(input);
  const namespace = f.requiredString('Namespace', { max: 255 });
  if (namespace.startsWith('AWS/')) {
    throw cwError.invalidValue(
      `The value ${namespace} for parameter Namespace is invalid: the AWS/ prefix is reserved.`,
    );
  }
  const data = f.structList('MetricData', { max: 1000 }) ?? [];
  const entityData = (f.structList('EntityMetricData') ?? []).flatMap(
    (e) => e.structList('MetricData') ?? [],
  );
  if (data.length === 0 && entityData.length === 0) throw cwError.missing('MetricData');
  if (data.length + entityData.length > 1000) {
    throw cwError.invalidValue('A PutMetricData request can carry at most 1000 metrics.');
  }
  const now = deps.clock.now();
  // Everything is validated before anything is stored: a bad datum rejects the whole request.
  const parsed = [...data, ...entityData].map((d) => parseDatum(d, namespace, now));
  for (const { id, point } of parsed) deps.metrics.put(id, point);
  return {};
}

function parseDatum(d: Fields, namespace: string, now: number): { id: MetricId; point: Datapoint } {
  const metricName = d.requiredString('MetricName', { max: 255 });
  const dims = parseDimensions(d, 'Dimensions');
  const timestamp = d.timestamp('Timestamp') ?? now;
  if (timestamp < now - OLDEST_ACCEPTED_MS || timestamp > now + NEWEST_ACCEPTED_MS) {
    throw cwError.invalidValue(
      `The parameter ${d.name('Timestamp')} must specify a time no more than two weeks in the past and no more than two hours in the future.`,
    );
  }
  const storage = d.integer('StorageResolution');
  if (storage !== undefined && storage !== 1 && storage !== 60) {
    throw cwError.invalidValue(
      `The value ${storage} for parameter ${d.name('StorageResolution')} must be 1 or 60.`,
    );
  }
  const unit = d.enumValue('Unit', STANDARD_UNITS) ?? 'None';
  const forms = ['Value', 'StatisticValues', 'Values'].filter((k) => d.has(k));
  if (forms.length > 1) {
    throw cwError.combination(
      `The parameters ${forms.map((k) => d.name(k)).join(' and ')} are mutually exclusive and you have specified more than one.`,
    );
  }
  if (forms.length === 0) {
    throw cwError.combination(
      `One of ${d.name('Value')}, ${d.name('StatisticValues')} and ${d.name('Values')} must be specified.`,
    );
  }
  const stats = datumStatistics(d);
  // The sandbox keeps one-minute resolution, whatever StorageResolution asks for.
  const minute = Math.floor(timestamp / MINUTE_MS) * MINUTE_MS;
  return {
    id: { namespace, metricName, dimensions: Object.fromEntries(dims.map((x) => [x.Name!, x.Value!])) },
    point: { timestamp: minute, unit, ...stats },
  };
}

function datumStatistics(d: Fields): Omit<Datapoint, 'timestamp' | 'unit'> {
  const value = d.number('Value');
  if (value !== undefined) {
    checkMagnitude(value, d.name('Value'));
    return { sampleCount: 1, sum: value, min: value, max: value, samples: [{ value, count: 1 }] };
  }
  const set = d.struct('StatisticValues');
  if (set) {
    const read = (k: string) => {
      const v = set.number(k);
      if (v === undefined) throw cwError.missing(set.name(k));
      checkMagnitude(v, set.name(k));
      return v;
    };
    const sampleCount = read('SampleCount');
    const sum = read('Sum');
    const min = read('Minimum');
    const max = read('Maximum');
    if (sampleCount <= 0)
      throw cwError.invalidValue(`The parameter ${set.name('SampleCount')} must be greater than 0.`);
    if (min > max) {
      throw cwError.invalidValue(
        `The parameter ${set.name('Minimum')} must not be greater than ${set.name('Maximum')}.`,
      );
    }
    return { sampleCount, sum, min, max };
  }
  const values = d.numberList('Values', { max: 150 }) ?? [];
  const counts = d.numberList('Counts', { max: 150 });
  if (counts && counts.length !== values.length) {
    throw cwError.invalidValue(
      `The parameters ${d.name('Values')} and ${d.name('Counts')} must be of the same size (${values.length} and ${counts.length}).`,
    );
  }
  if (values.length === 0) throw cwError.invalidValue(`The parameter ${d.name('Values')} must not be empty.`);
  const samples = values.map((value, i) => {
    checkMagnitude(value, `${d.name('Values')}.member.${i + 1}`);
    const count = counts?.[i] ?? 1;
    if (count < 0)
      throw cwError.invalidValue(`The parameter ${d.name('Counts')}.member.${i + 1} must not be negative.`);
    return { value, count };
  });
  const weighted = samples.filter((s) => s.count > 0);
  if (weighted.length === 0)
    throw cwError.invalidValue(`The parameter ${d.name('Counts')} must not be all zero.`);
  return {
    sampleCount: weighted.reduce((n, s) => n + s.count, 0),
    sum: weighted.reduce((n, s) => n + s.value * s.count, 0),
    min: Math.min(...weighted.map((s) => s.value)),
    max: Math.max(...weighted.map((s) => s.value)),
    samples: weighted,
  };
}

function checkMagnitude(v: number, name: string): void {
  const abs = Math.abs(v);
  if (abs > MAX_MAGNITUDE || (abs !== 0 && abs < MIN_MAGNITUDE)) {
    throw cwError.invalidValue(
      `The value ${v} for parameter ${name} is out of the range CloudWatch accepts.`,
    );
  }
}

/** Where a query's first period starts: whole minutes for periods of a minute or more, whole periods below. */
function alignStart(start: number, periodMs: number): number {
  const step = Math.min(periodMs, MINUTE_MS);
  return Math.floor(start / step) * step;
}

function timeRange(f: Fields): { start: number; end: number } {
  const start = f.timestamp('StartTime');
  if (start === undefined) throw cwError.missing('StartTime');
  const end = f.timestamp('EndTime');
  if (end === undefined) throw cwError.missing('EndTime');
  if (start >= end)
    throw cwError.invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  return { start, end };
}

function getMetricStatistics(
  deps: MetricDeps,
  input: unknown,
): { Label: string; Datapoints: SdkDatapoint[] } {
  const f = new Fields(input);
  const namespace = f.requiredString('Namespace', { max: 255 });
  const metricName = f.requiredString('MetricName', { max: 255 });
  const { start, end } = timeRange(f);
  const period = f.integer('Period', { min: 1 });
  if (period === undefined) throw cwError.missing('Period');
  checkPeriod(period, 'Period', HIGH_RESOLUTION_PERIODS);
  const dims = parseDimensions(f, 'Dimensions');
  const statistics = f.stringList('Statistics', { max: 5 });
  const extended = f.stringList('ExtendedStatistics', { max: 10 });
  if ((statistics?.length ?? 0) > 0 === (extended?.length ?? 0) > 0) {
    throw cwError.combination(
      'Exactly one of the parameters Statistics and ExtendedStatistics must be specified.',
    );
  }
  for (const s of statistics ?? []) {
    if (!(BASIC_STATISTICS as readonly string[]).includes(s)) {
      throw cwError.invalidValue(`The value ${s} for parameter Statistics is invalid.`);
    }
  }
  const percentiles = (extended ?? []).map((s) => {
    const stat = parseStat(s);
    if (stat?.kind !== 'percentile') {
      throw cwError.invalidValue(
        `The value ${s} for parameter ExtendedStatistics is not supported: the sandbox computes percentiles (p0.0 to p100).`,
      );
    }
    return stat;
  });
  const unit = f.enumValue('Unit', STANDARD_UNITS);
  const periodMs = period * 1000;
  const from = alignStart(start, periodMs);
  const count = Math.ceil((end - from) / periodMs);
  if (count > MAX_STATISTICS_DATAPOINTS) {
    throw cwError.combination(
      `You have requested up to ${count.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  const id: MetricId = {
    namespace,
    metricName,
    dimensions: Object.fromEntries(dims.map((d) => [d.Name!, d.Value!])),
  };
  const datapoints = periods(deps.metrics, id, from, end, periodMs, unit).map((s) => {
    const dp: SdkDatapoint = { Timestamp: new Date(s.timestamp), Unit: s.unit as SdkDatapoint['Unit'] };
    for (const name of statistics ?? []) {
      const v = statValue(s, { kind: 'basic', name: name as (typeof BASIC_STATISTICS)[number] });
      if (v !== undefined) dp[name as 'Sum'] = v;
    }
    if (percentiles.length > 0) {
      const ext: Record<string, number> = {};
      for (const p of percentiles) {
        const v = statValue(s, p);
        if (v !== undefined) ext[p.name] = v;
      }
      dp.ExtendedStatistics = ext;
    }
    return dp;
  });
  return { Label: metricName, Datapoints: datapoints };
}

interface ParsedQuery {
  id: string;
  label: string;
  returnData: boolean;
  metric: MetricId;
  periodMs: number;
  stat: Stat;
  unit: string | undefined;
}

function parseQuery(q: Fields): ParsedQuery {
  const id = queryId(q);
  if (q.has('Expression')) {
    throw cwError.validation(
      `The sandbox does not evaluate metric math expressions (${q.name('Expression')} of query ${id}); query the metrics with MetricStat.`,
    );
  }
  const s = q.struct('MetricStat');
  if (!s) throw cwError.validation(`Query ${id} must specify exactly one of MetricStat and Expression.`);
  const stat = parseMetricStat(s);
  return {
    id,
    label: q.string('Label') ?? stat.Metric!.MetricName!,
    returnData: q.boolean('ReturnData') ?? true,
    metric: {
      namespace: stat.Metric!.Namespace!,
      metricName: stat.Metric!.MetricName!,
      dimensions: Object.fromEntries((stat.Metric!.Dimensions ?? []).map((d) => [d.Name!, d.Value!])),
    },
    periodMs: stat.Period! * 1000,
    stat: parseStat(stat.Stat!)!,
    unit: stat.Unit,
  };
}

function getMetricData(
  deps: MetricDeps,
  input: unknown,
): { MetricDataResults: MetricDataResult[]; Messages: never[] } {
  const f = new Fields(input);
  const queries = f.structList('MetricDataQueries', { max: 500 });
  if (!queries || queries.length === 0) throw cwError.missing('MetricDataQueries');
  const { start, end } = timeRange(f);
  const scanBy =
    f.enumValue('ScanBy', ['TimestampDescending', 'TimestampAscending'] as const) ?? 'TimestampDescending';
  f.integer('MaxDatapoints', { min: 1 });
  // The sandbox answers every datapoint in one page, so it never hands out a token to come back with.
  decodeToken(f.string('NextToken'), 'number');
  const parsed = queries.map(parseQuery);
  const ids = new Set<string>();
  for (const q of parsed) {
    if (ids.has(q.id))
      throw cwError.validation(`The value ${q.id} is used as the Id of more than one query.`);
    ids.add(q.id);
  }
  const results = parsed
    .filter((q) => q.returnData)
    .map((q): MetricDataResult => {
      const from = alignStart(start, q.periodMs);
      const points: [number, number][] = [];
      for (const s of periods(deps.metrics, q.metric, from, end, q.periodMs, q.unit)) {
        const v = statValue(s, q.stat);
        if (v !== undefined) points.push([s.timestamp, v]);
      }
      if (scanBy === 'TimestampDescending') points.reverse();
      return {
        Id: q.id,
        Label: q.label,
        Timestamps: points.map(([t]) => new Date(t)),
        Values: points.map(([, v]) => v),
        StatusCode: 'Complete',
        Messages: [],
      };
    });
  return { MetricDataResults: results, Messages: [] };
}

function listMetrics(deps: MetricDeps, input: unknown): { Metrics: unknown[]; NextToken?: string } {
  const f = new Fields(input);
  const namespace = f.string('Namespace', { min: 1, max: 255 });
  const metricName = f.string('MetricName', { min: 1, max: 255 });
  const filters = (f.structList('Dimensions', { max: 10 }) ?? []).map((d) => {
    const name = d.requiredString('Name', { max: 255 });
    const value = d.string('Value', { min: 1, max: 1024 });
    return value === undefined ? { name } : { name, value };
  });
  const recentlyActive = f.enumValue('RecentlyActive', ['PT3H'] as const);
  const offset = decodeToken<number>(f.string('NextToken'), 'number') ?? 0;
  const now = deps.clock.now();
  const all = deps.metrics
    .list({
      ...(namespace !== undefined ? { namespace } : {}),
      ...(metricName !== undefined ? { metricName } : {}),
      dimensions: filters,
    })
    .filter((m) => recentlyActive === undefined || (deps.metrics.latest(m) ?? 0) >= now - 3 * 3_600_000)
    .sort((a, b) => (metricKey(a) < metricKey(b) ? -1 : metricKey(a) > metricKey(b) ? 1 : 0));
  if (offset < 0 || offset > all.length) throw cwError.invalidNextToken();
  const page = all.slice(offset, offset + LIST_METRICS_PAGE);
  const next = offset + page.length;
  return {
    Metrics: page.map((m) => ({
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    })),
    ...(next < all.length ? { NextToken: encodeToken(next) } : {}),
  };
}
