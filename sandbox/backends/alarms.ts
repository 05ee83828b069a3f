import type {
  AlarmHistoryItem,
  HistoryItemType,
  MetricAlarm,
  PutMetricAlarmInput,
  Tag,
} from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import {
  type AlarmConfig,
  type AlarmTarget,
  alarmSettings,
  alarmTarget,
  parseAlarmInput,
} from './alarm-config.ts';
import {
  type AlarmStateValue,
  EXTRA_RANGE_PERIODS,
  evaluateAlarm,
  type RangePoint,
  type Verdict,
} from './alarm-evaluation.ts';
import { cloudWatchIso, insufficientDataReason, reasonData, thresholdCrossedReason } from './alarm-reason.ts';
import {
  type AlarmRecord,
  changedFields,
  describeAlarm,
  eventConfiguration,
  historyState,
  historyView,
} from './alarm-views.ts';
import { cwError } from './cloudwatch-input.ts';
import { isLowSampleCount, periods, statValue } from './metric-stats.ts';
import type { MetricStore } from './metrics.ts';

export type { AlarmStateValue } from './alarm-evaluation.ts';

export interface AlarmEngineDeps {
  clock: VirtualClock;
  bus: EventBus;
  metrics: MetricStore;
  region: string;
  accountId: string;
}

/** When, within each virtual minute, alarms are evaluated: just after the world publishes that minute's metrics. */
export const EVALUATION_OFFSET_MS = 5_000;
const MINUTE_MS = 60_000;
/** CloudWatch keeps alarm history for two weeks. */
const HISTORY_RETENTION_MS = 14 * 86_400_000;

interface HistoryRecord {
  alarmName: string;
  timestamp: number;
  type: HistoryItemType;
  summary: string;
  data: string;
}

export interface AlarmFilter {
  names?: string[];
  prefix?: string;
  state?: AlarmStateValue;
  actionPrefix?: string;
}

export interface MetricAlarmFilter {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
  statistic?: string;
  extendedStatistic?: string;
  period?: number;
  unit?: string;
}

export interface HistoryFilter {
  alarmName?: string;
  type?: HistoryItemType;
  start?: number;
  end?: number;
  ascending?: boolean;
}

const savedStateSchema = z.object({
  alarms: z.array(
    z.object({
      config: z.record(z.string(), z.unknown()),
      tags: z.array(z.object({ Key: z.string(), Value: z.string() })),
      configUpdatedAt: z.number(),
      state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
      reason: z.string(),
      reasonData: z.string().optional(),
      stateUpdatedAt: z.number(),
      stateTransitionedAt: z.number(),
    }),
  ),
  history: z.array(
    z.object({
      alarmName: z.string(),
      timestamp: z.number(),
      type: z.enum(['ConfigurationUpdate', 'StateUpdate', 'Action']),
      summary: z.string(),
      data: z.string(),
    }),
  ),
});
export type AlarmEngineState = z.infer<typeof savedStateSchema>;

/**
 * CloudWatch's alarms: definitions, current state, history, and their evaluation over the metric
 * store with CloudWatch's semantics. The CloudWatch service exposes it on the wire; FIS reads it
 * for stop conditions; Route 53 creates its health-check alarm through it. Every state change is
 * published on the bus as a `CloudWatch Alarm State Change` event (resources: [alarmArn]).
 */
export class AlarmEngine {
  private readonly deps: AlarmEngineDeps;
  private readonly alarms = new Map<string, AlarmRecord>();
  private historyItems: HistoryRecord[] = [];
  private started = false;
  /** When the sandbox began: no metric could have been published before. */
  private readonly origin: number;

  constructor(deps: AlarmEngineDeps) {
    this.deps = deps;
    this.origin = deps.clock.now();
  }

  arn(alarmName: string): string {
    return `arn:aws:cloudwatch:${this.deps.region}:${this.deps.accountId}:alarm:${alarmName}`;
  }

  /** The alarm name in one of this engine's alarm ARNs, or undefined for any other ARN. */
  nameFromArn(arn: string): string | undefined {
    const prefix = this.arn('');
    return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
  }

  /**
   * Starts evaluating every alarm once a virtual minute, at each whole minute + 5 s (the world
   * publishes the minute that just ended at the whole minute), and creates the world's default
   * alarms that do not exist yet (a restart keeps their state and history).
   */
  start(defaults: readonly Record<string, unknown>[] = []): void {
    if (this.started) return;
    this.started = true;
    defaults.forEach((input, i) => {
      const name = typeof input.AlarmName === 'string' ? input.AlarmName : `#${i + 1}`;
      if (this.alarms.has(name)) return;
      try {
        this.putAlarm(input as unknown as PutMetricAlarmInput);
      } catch (e) {
        throw new Error(`world alarms[${i}] (${name}): ${(e as Error).message}`);
      }
    });
    const now = this.deps.clock.now();
    let first = Math.floor(now / MINUTE_MS) * MINUTE_MS + EVALUATION_OFFSET_MS;
    if (first <= now) first += MINUTE_MS;
    this.deps.clock.at(first, () => {
      this.evaluateAll();
      this.deps.clock.every(MINUTE_MS, () => this.evaluateAll());
    });
  }

  /** PutMetricAlarm: creates the alarm (INSUFFICIENT_DATA, unchecked) or replaces its configuration, keeping its state. */
  putAlarm(input: PutMetricAlarmInput): MetricAlarm {
    const { config, tags } = parseAlarmInput(input);
    const now = this.deps.clock.now();
    const existing = this.alarms.get(config.AlarmName);
    if (existing) {
      const before = existing.config;
      existing.config = config;
      existing.configUpdatedAt = now;
      this.addHistory(config.AlarmName, 'ConfigurationUpdate', `Alarm "${config.AlarmName}" updated`, {
        type: 'Update',
        version: '1.0',
        originalUpdatedFields: changedFields(before, config),
        updatedAlarm: historyView(config),
      });
      // As in CloudWatch, tags given with an update of an existing alarm are ignored.
      return this.view(existing);
    }
    const record: AlarmRecord = {
      config,
      tags,
      configUpdatedAt: now,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      reasonData: undefined,
      stateUpdatedAt: now,
      stateTransitionedAt: now,
    };
    this.alarms.set(config.AlarmName, record);
    this.addHistory(config.AlarmName, 'ConfigurationUpdate', `Alarm "${config.AlarmName}" created`, {
      type: 'Create',
      version: '1.0',
      createdAlarm: historyView(config),
    });
    return this.view(record);
  }

  /** Current state of the alarm with this ARN, or undefined if there is no such alarm. */
  stateOf(alarmArn: string): AlarmStateValue | undefined {
    const name = this.nameFromArn(alarmArn);
    return name === undefined ? undefined : this.alarms.get(name)?.state;
  }

  get(name: string): MetricAlarm | undefined {
    const record = this.alarms.get(name);
    return record && this.view(record);
  }

  /** DescribeAlarms' filters; alarms sorted by name. */
  list(filter: AlarmFilter = {}): MetricAlarm[] {
    const names = filter.names && new Set(filter.names);
    return this.sorted()
      .filter((r) => !names || names.has(r.config.AlarmName))
      .filter((r) => filter.prefix === undefined || r.config.AlarmName.startsWith(filter.prefix))
      .filter((r) => filter.state === undefined || r.state === filter.state)
      .filter(
        (r) =>
          filter.actionPrefix === undefined ||
          [...r.config.OKActions, ...r.config.AlarmActions, ...r.config.InsufficientDataActions].some((a) =>
            a.startsWith(filter.actionPrefix!),
          ),
      )
      .map((r) => this.view(r));
  }

  /** DescribeAlarmsForMetric: alarms on exactly this metric (and statistic / period / unit when given). */
  forMetric(filter: MetricAlarmFilter): MetricAlarm[] {
    const wantedDims = JSON.stringify(sortedEntries(filter.dimensions ?? {}));
    return this.sorted()
      .filter((r) => {
        const t = alarmTarget(r.config);
        if (t.metric.namespace !== filter.namespace || t.metric.metricName !== filter.metricName)
          return false;
        if (JSON.stringify(sortedEntries(t.metric.dimensions)) !== wantedDims) return false;
        if (filter.statistic !== undefined && t.statName !== filter.statistic) return false;
        if (filter.extendedStatistic !== undefined && t.statName !== filter.extendedStatistic) return false;
        if (filter.period !== undefined && t.periodSeconds !== filter.period) return false;
        return filter.unit === undefined || t.unit === filter.unit;
      })
      .map((r) => this.view(r));
  }

  /** DeleteAlarms: all or nothing — any unknown name fails the call and deletes none (ResourceNotFound). */
  delete(names: readonly string[]): void {
    const unknown = names.filter((n) => !this.alarms.has(n));
    if (unknown.length > 0)
      throw cwError.notFound(`The following alarms were not found: ${unknown.join(', ')}`);
    for (const n of names) this.alarms.delete(n);
  }

  /**
   * SetAlarmState: the state holds until the next evaluation decides otherwise, as in CloudWatch.
   * `reasonData` must already be valid JSON (the wire layer checks it).
   */
  setState(name: string, value: AlarmStateValue, reason: string, reasonData?: string): MetricAlarm {
    const record = this.alarms.get(name);
    if (!record) throw cwError.notFound(`Alarm ${name} does not exist.`);
    if (record.state === value) {
      record.reason = reason;
      record.reasonData = reasonData;
      record.stateUpdatedAt = this.deps.clock.now();
    } else {
      this.transition(record, value, reason, reasonData);
    }
    return this.view(record);
  }

  /** EnableAlarmActions / DisableAlarmActions. Only recorded: the sandbox runs no alarm actions. */
  setActionsEnabled(names: readonly string[], enabled: boolean): void {
    for (const n of names) {
      const record = this.alarms.get(n);
      if (record) record.config.ActionsEnabled = enabled;
    }
  }

  history(filter: HistoryFilter = {}): AlarmHistoryItem[] {
    const items = this.historyItems.filter(
      (h) =>
        (filter.alarmName === undefined || h.alarmName === filter.alarmName) &&
        (filter.type === undefined || h.type === filter.type) &&
        (filter.start === undefined || h.timestamp >= filter.start) &&
        (filter.end === undefined || h.timestamp <= filter.end),
    );
    // Kept oldest first; CloudWatch answers newest first unless asked otherwise.
    const ordered = filter.ascending ? items : [...items].reverse();
    return ordered.map((h) => ({
      AlarmName: h.alarmName,
      AlarmType: 'MetricAlarm',
      Timestamp: new Date(h.timestamp),
      HistoryItemType: h.type,
      HistorySummary: h.summary,
      HistoryData: h.data,
    }));
  }

  tagsOf(arn: string): Tag[] {
    return this.byArn(arn).tags.map((t) => ({ ...t }));
  }

  tag(arn: string, tags: readonly Tag[]): void {
    const record = this.byArn(arn);
    for (const t of tags) {
      const existing = record.tags.find((x) => x.Key === t.Key);
      if (existing) existing.Value = t.Value;
      else record.tags.push({ Key: t.Key, Value: t.Value });
    }
  }

  untag(arn: string, keys: readonly string[]): void {
    const record = this.byArn(arn);
    record.tags = record.tags.filter((t) => !keys.includes(t.Key!));
  }

  /** Evaluates every alarm now (the minute timer calls this; tests may too). */
  evaluateAll(): void {
    for (const record of this.sorted()) this.evaluate(record);
  }

  save(): AlarmEngineState {
    return structuredClone({
      alarms: this.sorted().map((r) => ({
        config: r.config as unknown as Record<string, unknown>,
        tags: r.tags as { Key: string; Value: string }[],
        configUpdatedAt: r.configUpdatedAt,
        state: r.state,
        reason: r.reason,
        ...(r.reasonData !== undefined ? { reasonData: r.reasonData } : {}),
        stateUpdatedAt: r.stateUpdatedAt,
        stateTransitionedAt: r.stateTransitionedAt,
      })),
      history: this.historyItems as AlarmEngineState['history'],
    });
  }

  /** Loads what `save` returned; a state file that does not parse is refused with one clear error. */
  restore(state: unknown): void {
    const parsed = savedStateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`saved CloudWatch alarms are malformed at ${issue.path.join('.')}: ${issue.message}`);
    }
    const alarms = new Map<string, AlarmRecord>();
    for (const a of parsed.data.alarms) {
      let config: AlarmConfig;
      try {
        config = parseAlarmInput(a.config).config;
      } catch (e) {
        throw new Error(
          `saved CloudWatch alarm ${String(a.config.AlarmName)} is invalid: ${(e as Error).message}`,
        );
      }
      alarms.set(config.AlarmName, { ...a, config, reasonData: a.reasonData });
    }
    this.alarms.clear();
    for (const [k, v] of alarms) this.alarms.set(k, v);
    this.historyItems = parsed.data.history.map((h) => ({ ...h }));
  }

  private view(r: AlarmRecord): MetricAlarm {
    return describeAlarm(r, this.arn(r.config.AlarmName));
  }

  private byArn(arn: string): AlarmRecord {
    const name = this.nameFromArn(arn);
    const record = name === undefined ? undefined : this.alarms.get(name);
    if (!record) throw cwError.resourceNotFound(`Alarm with ARN ${arn} does not exist.`);
    return record;
  }

  private sorted(): AlarmRecord[] {
    return [...this.alarms.values()].sort((a, b) =>
      a.config.AlarmName < b.config.AlarmName ? -1 : a.config.AlarmName > b.config.AlarmName ? 1 : 0,
    );
  }

  private evaluate(record: AlarmRecord): void {
    const now = this.deps.clock.now();
    const target = alarmTarget(record.config);
    const settings = alarmSettings(record.config);
    const rule = {
      evaluationPeriods: record.config.EvaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
      threshold: record.config.Threshold,
      comparison: record.config.ComparisonOperator,
      treatMissingData: settings.treatMissingData,
      ignoreLowSampleCount: record.config.EvaluateLowSampleCountPercentile === 'ignore',
    };
    const verdict = evaluateAlarm(this.evaluationRange(target, rule.evaluationPeriods, now), rule);
    if (verdict.state === 'retain' || verdict.state === record.state) return;
    const reason =
      verdict.state === 'INSUFFICIENT_DATA'
        ? insufficientDataReason(rule.evaluationPeriods)
        : thresholdCrossedReason({
            ...rule,
            from: record.state,
            to: verdict.state,
            evaluated: verdict.evaluated,
            ...(verdict.filledAs ? { filledAs: verdict.filledAs } : {}),
          });
    this.transition(record, verdict.state, reason, this.reasonDataFor(target, rule.threshold, verdict, now));
  }

  /** The periods CloudWatch looks at: EvaluationPeriods plus a few more, ending at the last complete one. */
  private evaluationRange(target: AlarmTarget, evaluationPeriods: number, now: number): RangePoint[] {
    const periodMs = target.periodSeconds * 1000;
    const step = Math.min(periodMs, MINUTE_MS);
    const end = Math.floor(now / step) * step;
    const count = evaluationPeriods + EXTRA_RANGE_PERIODS;
    const start = end - count * periodMs;
    const stats = new Map(
      periods(this.deps.metrics, target.metric, start, end, periodMs, target.unit).map((s) => [
        s.timestamp,
        s,
      ]),
    );
    const range: RangePoint[] = [];
    for (let i = 0; i < count; i++) {
      const timestamp = start + i * periodMs;
      const s = stats.get(timestamp);
      const value = s ? statValue(s, target.stat) : undefined;
      range.push({
        timestamp,
        value,
        sampleCount: s?.sampleCount,
        lowSampleCount:
          s !== undefined &&
          target.stat.kind === 'percentile' &&
          isLowSampleCount(s.sampleCount, target.stat.percentile),
        unobserved: timestamp + periodMs <= this.origin,
      });
    }
    return range;
  }

  private reasonDataFor(target: AlarmTarget, threshold: number, verdict: Verdict, now: number): string {
    return reasonData({
      now,
      statKey: target.stat.kind === 'percentile' ? 'extendedStatistic' : 'statistic',
      statName: target.statName,
      unit: target.unit,
      periodSeconds: target.periodSeconds,
      threshold,
      evaluated: verdict.evaluated,
    });
  }

  private transition(
    record: AlarmRecord,
    value: AlarmStateValue,
    reason: string,
    data: string | undefined,
  ): void {
    const now = this.deps.clock.now();
    const previous = {
      value: record.state,
      reason: record.reason,
      reasonData: record.reasonData,
      timestamp: record.stateUpdatedAt,
    };
    record.state = value;
    record.reason = reason;
    record.reasonData = data;
    record.stateUpdatedAt = now;
    record.stateTransitionedAt = now;
    const name = record.config.AlarmName;
    this.addHistory(name, 'StateUpdate', `Alarm updated from ${previous.value} to ${value}`, {
      version: '1.0',
      oldState: historyState(previous.value, previous.reason, previous.reasonData),
      newState: historyState(value, reason, data),
    });
    const eventState = (s: typeof previous) => ({
      value: s.value,
      reason: s.reason,
      ...(s.reasonData !== undefined ? { reasonData: s.reasonData } : {}),
      timestamp: cloudWatchIso(s.timestamp),
    });
    this.deps.bus.publish(
      'aws.cloudwatch',
      'CloudWatch Alarm State Change',
      {
        alarmName: name,
        state: eventState({ value, reason, reasonData: data, timestamp: now }),
        previousState: eventState(previous),
        configuration: eventConfiguration(record.config),
      },
      [this.arn(name)],
    );
  }

  private addHistory(alarmName: string, type: HistoryItemType, summary: string, data: unknown): void {
    const now = this.deps.clock.now();
    this.historyItems = this.historyItems.filter((h) => h.timestamp >= now - HISTORY_RETENTION_MS);
    this.historyItems.push({ alarmName, timestamp: now, type, summary, data: JSON.stringify(data) });
  }
}

function sortedEntries(dims: Record<string, string>): [string, string][] {
  return Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
