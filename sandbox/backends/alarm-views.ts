import { createHash } from 'node:crypto';
import type { MetricAlarm, Tag } from '@aws-sdk/client-cloudwatch';
import { type AlarmConfig, dimensionsRecord } from './alarm-config.ts';
import type { AlarmStateValue } from './alarm-evaluation.ts';

/**
 * How an alarm shows outside the engine: DescribeAlarms' MetricAlarm, the JSON of its history
 * items, and the `configuration` of its state-change events.
 */

/** One alarm as the engine keeps it (epoch-millisecond times). */
export interface AlarmRecord {
  config: AlarmConfig;
  tags: Tag[];
  configUpdatedAt: number;
  state: AlarmStateValue;
  reason: string;
  reasonData: string | undefined;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
}

/** DescribeAlarms' MetricAlarm: optional fields appear only when the alarm has them, as CloudWatch answers. */
export function describeAlarm(r: AlarmRecord, arn: string): MetricAlarm {
  const c = structuredClone(r.config);
  return {
    AlarmName: c.AlarmName,
    AlarmArn: arn,
    ...(c.AlarmDescription !== undefined ? { AlarmDescription: c.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(r.configUpdatedAt),
    ActionsEnabled: c.ActionsEnabled,
    OKActions: c.OKActions,
    AlarmActions: c.AlarmActions,
    InsufficientDataActions: c.InsufficientDataActions,
    StateValue: r.state,
    StateReason: r.reason,
    ...(r.reasonData !== undefined ? { StateReasonData: r.reasonData } : {}),
    StateUpdatedTimestamp: new Date(r.stateUpdatedAt),
    ...(c.MetricName !== undefined ? { MetricName: c.MetricName } : {}),
    ...(c.Namespace !== undefined ? { Namespace: c.Namespace } : {}),
    ...(c.Statistic !== undefined ? { Statistic: c.Statistic } : {}),
    ...(c.ExtendedStatistic !== undefined ? { ExtendedStatistic: c.ExtendedStatistic } : {}),
    ...(c.Metrics === undefined ? { Dimensions: c.Dimensions ?? [] } : {}),
    ...(c.Period !== undefined ? { Period: c.Period } : {}),
    ...(c.Unit !== undefined ? { Unit: c.Unit } : {}),
    EvaluationPeriods: c.EvaluationPeriods,
    ...(c.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: c.DatapointsToAlarm } : {}),
    Threshold: c.Threshold,
    ComparisonOperator: c.ComparisonOperator,
    ...(c.TreatMissingData !== undefined ? { TreatMissingData: c.TreatMissingData } : {}),
    ...(c.EvaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: c.EvaluateLowSampleCountPercentile }
      : {}),
    ...(c.Metrics !== undefined ? { Metrics: c.Metrics } : {}),
    ...(c.ActionConfiguration !== undefined ? { ActionConfiguration: c.ActionConfiguration } : {}),
    StateTransitionedTimestamp: new Date(r.stateTransitionedAt),
  };
}

/** The `configuration` of an alarm state-change event: the alarm's metrics in EventBridge's camelCase shape. */
export function eventConfiguration(config: AlarmConfig): Record<string, unknown> {
  const metricStat = (m: {
    Namespace?: string;
    MetricName?: string;
    Dimensions?: AlarmConfig['Dimensions'];
  }) => ({
    metric: {
      namespace: m.Namespace,
      name: m.MetricName,
      dimensions: dimensionsRecord(m.Dimensions),
    },
  });
  const metrics = config.Metrics
    ? config.Metrics.map((q) => ({
        id: q.Id,
        ...(q.MetricStat
          ? {
              metricStat: {
                ...metricStat(q.MetricStat.Metric ?? {}),
                period: q.MetricStat.Period,
                stat: q.MetricStat.Stat,
                ...(q.MetricStat.Unit ? { unit: q.MetricStat.Unit } : {}),
              },
            }
          : {}),
        ...(q.Label ? { label: q.Label } : {}),
        returnData: q.ReturnData !== false,
      }))
    : [
        {
          id: deterministicUuid(config.AlarmName),
          metricStat: {
            ...metricStat(config),
            period: config.Period,
            stat: config.Statistic ?? config.ExtendedStatistic,
            ...(config.Unit ? { unit: config.Unit } : {}),
          },
          returnData: true,
        },
      ];
  return { ...(config.AlarmDescription ? { description: config.AlarmDescription } : {}), metrics };
}

export function historyState(
  value: AlarmStateValue,
  reason: string,
  data: string | undefined,
): Record<string, unknown> {
  return {
    stateValue: value,
    stateReason: reason,
    ...(data !== undefined ? { stateReasonData: safeJson(data) } : {}),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An alarm configuration as CloudWatch's ConfigurationUpdate history data shows it (camelCase keys). */
export function historyView(config: AlarmConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined) out[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  }
  return out;
}

/** The fields an update changed, with their previous values. */
export function changedFields(before: AlarmConfig, after: AlarmConfig): Record<string, unknown> {
  const old = historyView(before);
  const now = historyView(after);
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (JSON.stringify(old[k]) !== JSON.stringify(now[k])) out[k] = old[k] ?? null;
  }
  return out;
}

/** A stable UUID-shaped id for an alarm's single metric (CloudWatch draws a random one per alarm). */
function deterministicUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
