import {
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { awsCall } from '../aws/errors.ts';

export interface AlarmStatus {
  state: string;
  reason: string;
  /** When the alarm last changed state (CloudWatch's StateUpdatedTimestamp). */
  since: Date | undefined;
  /** What a metric alarm on one metric watches, and its threshold; null for a composite or metric-math alarm. */
  metric: AlarmMetric | null;
}

/** A metric alarm's metric and threshold, as the report draws it across the metric's chart. */
export interface AlarmMetric {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  /** A statistic (`Average`) or an extended one (`p99`). */
  statistic: string;
  periodSeconds: number;
  threshold: number;
  comparison: string;
}

function alarmMetric(a: MetricAlarm): AlarmMetric | null {
  const statistic = a.Statistic ?? a.ExtendedStatistic;
  if (
    !a.Namespace ||
    !a.MetricName ||
    !statistic ||
    !a.Period ||
    a.Threshold === undefined ||
    !a.ComparisonOperator
  ) {
    return null;
  }
  return {
    namespace: a.Namespace,
    metric: a.MetricName,
    dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
    statistic,
    periodSeconds: a.Period,
    threshold: a.Threshold,
    comparison: a.ComparisonOperator,
  };
}

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

/** The current state of each named alarm; an alarm that does not exist is absent from the map. */
export async function describeAlarmStates(
  cloudwatch: CloudWatchClient,
  names: readonly string[],
): Promise<Map<string, AlarmStatus>> {
  const out = new Map<string, AlarmStatus>();
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += NAMES_PER_CALL) {
    const chunk = unique.slice(i, i + NAMES_PER_CALL);
    let nextToken: string | undefined;
    do {
      const page = await awsCall('describe alarms', () =>
        cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: chunk,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        ),
      );
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (a.AlarmName)
          out.set(a.AlarmName, {
            state: a.StateValue ?? 'UNKNOWN',
            reason: a.StateReason ?? '',
            since: a.StateUpdatedTimestamp,
            metric: 'MetricName' in a ? alarmMetric(a) : null,
          });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return out;
}

export interface AlarmTransition {
  alarm: string;
  at: Date;
  from: string;
  to: string;
  reason: string;
}

interface HistoryState {
  stateValue?: string;
  stateReason?: string;
}

/**
 * The state changes of the named alarms in [since, until], oldest first, from CloudWatch's alarm
 * history (one call for all alarms, paged). An item that does not change the state is left out.
 */
export async function alarmTransitions(
  cloudwatch: CloudWatchClient,
  names: readonly string[],
  since: Date,
  until: Date,
): Promise<AlarmTransition[]> {
  const wanted = new Set(names);
  const out: AlarmTransition[] = [];
  if (wanted.size === 0 || until < since) return out;
  let nextToken: string | undefined;
  do {
    const page = await awsCall('read alarm history', () =>
      cloudwatch.send(
        new DescribeAlarmHistoryCommand({
          HistoryItemType: 'StateUpdate',
          StartDate: since,
          EndDate: until,
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      ),
    );
    for (const item of page.AlarmHistoryItems ?? []) {
      if (!item.AlarmName || !wanted.has(item.AlarmName) || !item.Timestamp) continue;
      const data = parseHistoryData(item.HistoryData);
      const from = data.oldState?.stateValue ?? 'UNKNOWN';
      const to = data.newState?.stateValue ?? 'UNKNOWN';
      if (from === to) continue;
      out.push({
        alarm: item.AlarmName,
        at: item.Timestamp,
        from,
        to,
        reason: data.newState?.stateReason ?? item.HistorySummary ?? '',
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.alarm < b.alarm ? -1 : 1));
}

function parseHistoryData(text: string | undefined): { oldState?: HistoryState; newState?: HistoryState } {
  if (!text) return {};
  try {
    return JSON.parse(text) as { oldState?: HistoryState; newState?: HistoryState };
  } catch {
    return {};
  }
}
