import type {
  ComparisonOperator,
  Dimension,
  MetricDataQuery,
  PutMetricAlarmInput,
  StandardUnit,
  Statistic,
  Tag,
} from '@aws-sdk/client-cloudwatch';
import {
  MISSING_DATA_TREATMENTS,
  type MissingDataTreatment,
  THRESHOLD_COMPARISONS,
  type ThresholdComparison,
} from './alarm-evaluation.ts';
import { constraintError, cwError, Fields } from './cloudwatch-input.ts';
import { BASIC_STATISTICS, parseStat, type Stat } from './metric-stats.ts';
import type { MetricId } from './metrics.ts';

export const COMPARISON_OPERATORS = [
  ...THRESHOLD_COMPARISONS,
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const satisfies readonly ComparisonOperator[];

export const STANDARD_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const satisfies readonly StandardUnit[];

/**
 * A validated metric alarm definition: PutMetricAlarm's input without the tags, with the action
 * lists and ActionsEnabled defaulted as DescribeAlarms reports them.
 */
export type AlarmConfig = Omit<PutMetricAlarmInput, 'Tags'> & {
  AlarmName: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  EvaluationPeriods: number;
  ComparisonOperator: ThresholdComparison;
  Threshold: number;
};

/** What an alarm watches: one metric, one statistic, one period. */
export interface AlarmTarget {
  metric: MetricId;
  periodSeconds: number;
  stat: Stat;
  /** `Average`, `p99`, … as the alarm names it. */
  statName: string;
  unit: string | undefined;
}

/** The rule an alarm is evaluated by, with CloudWatch's defaults filled in. */
export interface AlarmSettings {
  datapointsToAlarm: number;
  treatMissingData: MissingDataTreatment;
}

/** Validates PutMetricAlarm input as CloudWatch does; throws an AwsError with CloudWatch's code. */
export function parseAlarmInput(raw: unknown): { config: AlarmConfig; tags: Tag[] } {
  const f = new Fields(raw);
  const name = f.string('AlarmName', { max: 255 });
  if (name === undefined) throw constraintError(undefined, 'alarmName', 'Member must not be null');
  if (name.length === 0)
    throw constraintError(name, 'alarmName', 'Member must have length greater than or equal to 1');
  rejectUnsupported(f);

  const config: AlarmConfig = {
    AlarmName: name,
    ActionsEnabled: f.boolean('ActionsEnabled') ?? true,
    OKActions: actions(f, 'OKActions'),
    AlarmActions: actions(f, 'AlarmActions'),
    InsufficientDataActions: actions(f, 'InsufficientDataActions'),
    EvaluationPeriods: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0,
  };
  const description = f.string('AlarmDescription', { max: 1024 });
  if (description !== undefined) config.AlarmDescription = description;

  const period = Object.assign(config, metricFields(f)).Period;
  const evaluationPeriods = f.integer('EvaluationPeriods', { min: 1 });
  if (evaluationPeriods === undefined) throw cwError.missing('EvaluationPeriods');
  config.EvaluationPeriods = evaluationPeriods;
  const datapointsToAlarm = f.integer('DatapointsToAlarm', { min: 1 });
  if (datapointsToAlarm !== undefined) {
    if (datapointsToAlarm > evaluationPeriods) {
      throw cwError.validation('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
    }
    config.DatapointsToAlarm = datapointsToAlarm;
  }
  const periodSeconds = period ?? queryPeriod(config.Metrics);
  if (periodSeconds * evaluationPeriods > (periodSeconds >= 3600 ? 7 * 86400 : 86400)) {
    throw cwError.validation(
      periodSeconds >= 3600
        ? 'Metrics cannot be checked across more than 7 days (EvaluationPeriods * Period must be <= 604800).'
        : 'Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).',
    );
  }

  const comparison = f.enumValue('ComparisonOperator', COMPARISON_OPERATORS);
  if (comparison === undefined) throw cwError.missing('ComparisonOperator');
  if (!(THRESHOLD_COMPARISONS as readonly string[]).includes(comparison)) {
    throw cwError.invalidValue(
      `The sandbox does not model anomaly detection bands, so ComparisonOperator ${comparison} is not supported; use a static threshold.`,
    );
  }
  config.ComparisonOperator = comparison as ThresholdComparison;
  const threshold = f.number('Threshold');
  if (threshold === undefined) throw cwError.missing('Threshold');
  config.Threshold = threshold;

  const treat = f.string('TreatMissingData', { max: 255 });
  if (treat !== undefined) {
    if (!(MISSING_DATA_TREATMENTS as readonly string[]).includes(treat)) {
      throw cwError.validation(
        `The value ${treat} for parameter TreatMissingData is invalid; it must be one of ${MISSING_DATA_TREATMENTS.join(', ')}.`,
      );
    }
    config.TreatMissingData = treat;
  }
  const lowSample = f.enumValue('EvaluateLowSampleCountPercentile', ['evaluate', 'ignore'] as const);
  if (lowSample !== undefined) config.EvaluateLowSampleCountPercentile = lowSample;
  const actionConfiguration = f.struct('ActionConfiguration');
  if (actionConfiguration) {
    // Tag propagation to alarm actions: kept as data, since the sandbox runs no actions.
    config.ActionConfiguration = structuredClone(
      actionConfiguration.raw('AlarmTagsPropagation') === undefined
        ? {}
        : { AlarmTagsPropagation: actionConfiguration.raw('AlarmTagsPropagation') as { Enabled: boolean } },
    );
  }

  return { config, tags: parseTags(f, 'Tags') };
}

/** Parameters of newer alarm kinds that change evaluation in ways the sandbox does not model. */
function rejectUnsupported(f: Fields): void {
  for (const field of [
    'EvaluationCriteria',
    'EvaluationInterval',
    'EvaluationWindow',
    'WarmUpConfiguration',
  ]) {
    if (f.has(field)) throw cwError.invalidValue(`The sandbox does not support ${field}; leave it out.`);
  }
  if (f.has('ThresholdMetricId')) {
    throw cwError.invalidValue(
      'The sandbox does not model anomaly detection bands, so ThresholdMetricId is not supported; use Threshold.',
    );
  }
}

function actions(f: Fields, field: string): string[] {
  const list = f.stringList(field, { max: 5, itemMax: 1024 }) ?? [];
  for (const arn of list) {
    if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d*:.+/.test(arn)) {
      throw cwError.validation(`Invalid arn syntax: ${arn}`);
    }
  }
  return list;
}

/** The metric an alarm watches: MetricName/Namespace/Statistic/…/Period, or Metrics (one MetricStat query). */
function metricFields(f: Fields): Partial<AlarmConfig> {
  const single = [
    'MetricName',
    'Namespace',
    'Statistic',
    'ExtendedStatistic',
    'Dimensions',
    'Period',
    'Unit',
  ];
  const metrics = f.structList('Metrics', { max: 20 });
  if (metrics !== undefined) {
    const clash = single.filter((k) => f.has(k));
    if (clash.length > 0) {
      throw cwError.combination(`${clash.join(', ')} must not be specified together with Metrics.`);
    }
    if (metrics.length === 0) throw cwError.validation('Metrics must contain at least one query.');
    return { Metrics: metrics.map(parseAlarmQuery) } satisfies Partial<AlarmConfig>;
  }
  const out: Partial<AlarmConfig> = {};
  out.MetricName = f.requiredString('MetricName', { max: 255 });
  out.Namespace = f.requiredString('Namespace', { max: 255 });
  const statistic = f.enumValue('Statistic', BASIC_STATISTICS);
  const extended = f.string('ExtendedStatistic');
  if ((statistic === undefined) === (extended === undefined)) {
    throw cwError.combination(
      'Exactly one element of the Statistic and ExtendedStatistic parameters must be specified.',
    );
  }
  if (statistic !== undefined) out.Statistic = statistic as Statistic;
  if (extended !== undefined) {
    if (parseStat(extended)?.kind !== 'percentile') {
      throw cwError.invalidValue(
        `The value ${extended} for parameter ExtendedStatistic is not supported: the sandbox computes percentiles (p0.0 to p100).`,
      );
    }
    out.ExtendedStatistic = extended;
  }
  const dims = parseDimensions(f, 'Dimensions');
  if (dims.length > 0) out.Dimensions = dims;
  const period = f.integer('Period', { min: 1 });
  if (period === undefined) throw cwError.missing('Period');
  checkPeriod(period, f.name('Period'));
  out.Period = period;
  const unit = f.enumValue('Unit', STANDARD_UNITS);
  if (unit !== undefined) out.Unit = unit;
  return out;
}

/** A metric data query's Id, checked as CloudWatch checks it (alarms and GetMetricData alike). */
export function queryId(q: Fields): string {
  const id = q.requiredString('Id', { max: 255 });
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) {
    throw cwError.validation(
      `The value ${id} for parameter ${q.name('Id')} is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`,
    );
  }
  return id;
}

function parseAlarmQuery(q: Fields): MetricDataQuery {
  const id = queryId(q);
  if (q.has('Expression')) {
    throw cwError.validation(
      `The sandbox does not evaluate metric math (${q.name('Expression')}); alarm on a MetricStat query instead.`,
    );
  }
  const stat = q.struct('MetricStat');
  if (!stat) throw cwError.missing(q.name('MetricStat'));
  const query: MetricDataQuery = { Id: id, MetricStat: parseMetricStat(stat) };
  const label = q.string('Label');
  if (label !== undefined) query.Label = label;
  const returnData = q.boolean('ReturnData');
  if (returnData !== undefined) query.ReturnData = returnData;
  return query;
}

/** A MetricStat (GetMetricData's and alarms' shape), validated. */
export function parseMetricStat(s: Fields): NonNullable<MetricDataQuery['MetricStat']> {
  const metric = s.struct('Metric');
  if (!metric) throw cwError.missing(s.name('Metric'));
  const period = s.integer('Period', { min: 1 });
  if (period === undefined) throw cwError.missing(s.name('Period'));
  checkPeriod(period, s.name('Period'));
  const statName = s.requiredString('Stat');
  if (!parseStat(statName)) {
    throw cwError.invalidValue(
      `The value ${statName} for parameter ${s.name('Stat')} is not supported: use SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99.`,
    );
  }
  const dims = parseDimensions(metric, 'Dimensions');
  const out: NonNullable<MetricDataQuery['MetricStat']> = {
    Metric: {
      Namespace: metric.requiredString('Namespace', { max: 255 }),
      MetricName: metric.requiredString('MetricName', { max: 255 }),
      ...(dims.length > 0 ? { Dimensions: dims } : {}),
    },
    Period: period,
    Stat: statName,
  };
  const unit = s.enumValue('Unit', STANDARD_UNITS);
  if (unit !== undefined) out.Unit = unit;
  return out;
}

/** Periods CloudWatch accepts: 10, 20 or 30 seconds (high resolution), or any multiple of 60. */
export function checkPeriod(period: number, name: string, allowed: readonly number[] = [10, 20, 30]): void {
  if (period % 60 !== 0 && !allowed.includes(period)) {
    throw cwError.invalidValue(
      `The parameter ${name} must be ${allowed.join(', ')} or a multiple of 60 seconds (got ${period}).`,
    );
  }
}

export function parseDimensions(f: Fields, field: string): Dimension[] {
  const list = f.structList(field, { max: 30 }) ?? [];
  const seen = new Set<string>();
  return list.map((d) => {
    const name = d.requiredString('Name', { max: 255 });
    const value = d.requiredString('Value', { max: 1024 });
    if (seen.has(name))
      throw cwError.invalidValue(`The dimension ${name} is given more than once in ${f.name(field)}.`);
    seen.add(name);
    return { Name: name, Value: value };
  });
}

export function parseTags(f: Fields, field: string): Tag[] {
  const list = f.structList(field, { max: 50 }) ?? [];
  return list.map((t) => ({
    Key: t.requiredString('Key', { max: 128 }),
    Value: t.string('Value', { max: 256 }) ?? missingTagValue(t),
  }));
}

function missingTagValue(t: Fields): never {
  throw cwError.missing(t.name('Value'));
}

function queryPeriod(metrics: MetricDataQuery[] | undefined): number {
  return returnedQuery(metrics)?.MetricStat?.Period ?? 60;
}

function returnedQuery(metrics: MetricDataQuery[] | undefined): MetricDataQuery | undefined {
  const returned = (metrics ?? []).filter((q) => q.ReturnData !== false);
  if (returned.length !== 1) {
    throw cwError.validation('Exactly one element of the metrics list should return data.');
  }
  return returned[0];
}

export function dimensionsRecord(dims: Dimension[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dims ?? []) out[d.Name!] = d.Value!;
  return out;
}

/** The metric, statistic and period an alarm is evaluated over. */
export function alarmTarget(config: AlarmConfig): AlarmTarget {
  if (config.Metrics) {
    const stat = returnedQuery(config.Metrics)!.MetricStat!;
    return {
      metric: {
        namespace: stat.Metric!.Namespace!,
        metricName: stat.Metric!.MetricName!,
        dimensions: dimensionsRecord(stat.Metric!.Dimensions),
      },
      periodSeconds: stat.Period!,
      stat: parseStat(stat.Stat!)!,
      statName: stat.Stat!,
      unit: stat.Unit,
    };
  }
  const statName = config.Statistic ?? config.ExtendedStatistic!;
  return {
    metric: {
      namespace: config.Namespace!,
      metricName: config.MetricName!,
      dimensions: dimensionsRecord(config.Dimensions),
    },
    periodSeconds: config.Period!,
    stat: parseStat(statName)!,
    statName,
    unit: config.Unit,
  };
}

export function alarmSettings(config: AlarmConfig): AlarmSettings {
  return {
    datapointsToAlarm: config.DatapointsToAlarm ?? config.EvaluationPeriods,
    treatMissingData: (config.TreatMissingData as MissingDataTreatment | undefined) ?? 'missing',
  };
}
