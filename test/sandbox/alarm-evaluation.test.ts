import {
  type AlarmHistoryItem,
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
  type MetricDatum,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlarmRule,
  evaluateAlarm,
  type MissingDataTreatment,
  type RangePoint,
  THRESHOLD_COMPARISONS,
} from '../../sandbox/backends/alarm-evaluation.ts';
import { javaDouble, reasonTime, thresholdCrossedReason } from '../../sandbox/backends/alarm-reason.ts';
import { isLowSampleCount, parseStat, percentileOf } from '../../sandbox/backends/metric-stats.ts';
import type { Datapoint } from '../../sandbox/backends/metrics.ts';
import type { AwsEvent } from '../../sandbox/events.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MIN = 60_000;

/** A range from AWS's notation: `0` a datapoint within the threshold, `X` a breaching one, `-` missing. */
function range(pattern: string): RangePoint[] {
  return pattern.split(' ').map((c, i) => ({
    timestamp: T0 + i * MIN,
    value: c === '-' ? undefined : c === 'X' ? 10 : 0,
    sampleCount: 1,
  }));
}

function rule(m: number, n: number, treatMissingData: MissingDataTreatment): AlarmRule {
  return {
    evaluationPeriods: n,
    datapointsToAlarm: m,
    threshold: 5,
    comparison: 'GreaterThanThreshold',
    treatMissingData,
  };
}

const TREATMENTS = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;

describe('the alarm evaluator (pure)', () => {
  // AWS's "How alarm state is evaluated when data is missing", first table: 3 of 3, 5 datapoints retrieved.
  // Columns: MISSING, IGNORE, BREACHING, NOT BREACHING; "retain" = keep the current state.
  it.each([
    ['0 - X - X', ['OK', 'OK', 'OK', 'OK']],
    ['0 - - - -', ['OK', 'OK', 'OK', 'OK']],
    ['- - - - -', ['INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK']],
    ['0 X X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['X - - - -', ['ALARM', 'retain', 'ALARM', 'OK']],
    // AWS's table answers INSUFFICIENT_DATA for MISSING here but ALARM for `X - - - -`; the sandbox
    // treats a lone breaching datapoint alike wherever it lies in the range (ALARM).
    ['- - - - X', ['ALARM', 'retain', 'ALARM', 'OK']],
  ])('3 out of 3: %s', (pattern, expected) => {
    TREATMENTS.forEach((t, i) => {
      expect(evaluateAlarm(range(pattern), rule(3, 3, t)).state, t).toBe(expected[i]);
    });
  });

  // The second table: 2 out of 3.
  it.each([
    ['0 - X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['0 0 X 0 X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['0 - X - -', ['OK', 'OK', 'ALARM', 'OK']],
    ['- - - - 0', ['OK', 'OK', 'ALARM', 'OK']],
  ])('2 out of 3: %s', (pattern, expected) => {
    TREATMENTS.forEach((t, i) => {
      expect(evaluateAlarm(range(pattern), rule(2, 3, t)).state, t).toBe(expected[i]);
    });
  });

  it('evaluates only the most recent EvaluationPeriods datapoints when there are enough of them', () => {
    // Two old breaches fall outside the last 3 real datapoints.
    expect(evaluateAlarm(range('X X 0 0 0'), rule(1, 3, 'missing')).state).toBe('OK');
    expect(evaluateAlarm(range('X X 0 0 X'), rule(1, 3, 'missing')).state).toBe('ALARM');
    expect(evaluateAlarm(range('X X 0 0 X'), rule(2, 3, 'missing')).state).toBe('OK');
  });

  it('fills only as many missing datapoints as needed, the most recent ones', () => {
    const v = evaluateAlarm(range('0 - - X -'), rule(3, 3, 'breaching'));
    expect(v.state).toBe('OK');
    expect(v.evaluated.map((p) => [p.timestamp - T0, p.filled, p.breaching])).toEqual([
      [0, false, false],
      [3 * MIN, false, true],
      [4 * MIN, true, true],
    ]);
  });

  it('never fills periods from before the sandbox began, but counts real datapoints there', () => {
    const unobservedFirst = (points: RangePoint[], count: number) =>
      points.map((p, i) => (i < count ? { ...p, unobserved: true } : p));
    // Nothing observable yet: the state is kept rather than filled in as breaching.
    expect(evaluateAlarm(unobservedFirst(range('- - -'), 3), rule(1, 1, 'breaching')).state).toBe('retain');
    // One observable empty period is filled; the unobserved ones are not.
    const v = evaluateAlarm(unobservedFirst(range('- - - - -'), 4), rule(2, 3, 'breaching'));
    expect(v.state).toBe('OK');
    expect(v.evaluated).toHaveLength(1);
    // A datapoint published for a period before the start (PutMetricData with an old Timestamp) counts.
    expect(evaluateAlarm(unobservedFirst(range('X X - - -'), 4), rule(2, 3, 'notBreaching')).state).toBe(
      'ALARM',
    );
  });

  it.each([
    ['GreaterThanThreshold', [false, false, true]],
    ['GreaterThanOrEqualToThreshold', [false, true, true]],
    ['LessThanThreshold', [true, false, false]],
    ['LessThanOrEqualToThreshold', [true, true, false]],
  ] as const)('%s compares each datapoint with the threshold', (comparison, expected) => {
    expect(THRESHOLD_COMPARISONS).toContain(comparison);
    [4, 5, 6].forEach((value, i) => {
      const v = evaluateAlarm([{ timestamp: T0, value }], { ...rule(1, 1, 'missing'), comparison });
      expect(v.state, `${value}`).toBe(expected[i] ? 'ALARM' : 'OK');
    });
  });

  it('keeps the state while a percentile rests on too few samples, when told to ignore them', () => {
    const points: RangePoint[] = [{ timestamp: T0, value: 10, sampleCount: 50, lowSampleCount: true }];
    expect(evaluateAlarm(points, { ...rule(1, 1, 'missing'), ignoreLowSampleCount: true }).state).toBe(
      'retain',
    );
    expect(evaluateAlarm(points, rule(1, 1, 'missing')).state).toBe('ALARM');
    expect(isLowSampleCount(999, 99)).toBe(true);
    expect(isLowSampleCount(1000, 99)).toBe(false);
    expect(isLowSampleCount(199, 5)).toBe(true);
  });
});

describe('statistics and reason texts', () => {
  const dp = (over: Partial<Datapoint>): Datapoint => ({
    timestamp: T0,
    sampleCount: 1,
    sum: 0,
    min: 0,
    max: 0,
    unit: 'None',
    ...over,
  });

  it('computes percentiles from raw samples by nearest rank, across datapoints', () => {
    const values = Array.from({ length: 100 }, (_, i) => ({ value: i + 1, count: 1 }));
    const a = dp({ samples: values.slice(0, 50) });
    const b = dp({ samples: values.slice(50) });
    expect(percentileOf([a, b], 99)).toBe(99);
    expect(percentileOf([a, b], 50)).toBe(50);
    expect(percentileOf([a, b], 100)).toBe(100);
    expect(percentileOf([dp({ samples: [{ value: 7, count: 3 }] })], 0)).toBe(7);
  });

  it("uses the world's pre-computed percentiles, sample-weighted over several minutes", () => {
    const a = dp({ sampleCount: 100, percentiles: { p99: 1 } });
    const b = dp({ sampleCount: 300, percentiles: { p99: 2 } });
    expect(percentileOf([a], 99)).toBe(1);
    expect(percentileOf([a, b], 99)).toBe(1.75);
    // No distribution known (StatisticValues data): no percentile, as in CloudWatch.
    expect(percentileOf([dp({})], 99)).toBeUndefined();
    expect(percentileOf([a], 90)).toBeUndefined();
  });

  it('parses the statistics it can compute and nothing else', () => {
    expect(parseStat('Average')).toEqual({ kind: 'basic', name: 'Average' });
    expect(parseStat('p99.9')).toEqual({ kind: 'percentile', percentile: 99.9, name: 'p99.9' });
    expect(parseStat('p101')).toBeUndefined();
    expect(parseStat('tm99')).toBeUndefined();
    expect(parseStat('average')).toBeUndefined();
  });

  it('prints numbers and times the way CloudWatch does', () => {
    expect(javaDouble(3)).toBe('3.0');
    expect(javaDouble(0)).toBe('0.0');
    expect(javaDouble(0.25)).toBe('0.25');
    expect(javaDouble(-12)).toBe('-12.0');
    expect(javaDouble(0.0001)).toBe('1.0E-4');
    expect(javaDouble(15_000_000)).toBe('1.5E7');
    expect(reasonTime(Date.UTC(2026, 0, 5, 9, 12, 0))).toBe('05/01/26 09:12:00');
  });

  it('writes the threshold-crossed reason for both directions', () => {
    const v = evaluateAlarm(range('- - - 0 X X'), rule(2, 3, 'missing'));
    expect(v.state).toBe('ALARM');
    expect(
      thresholdCrossedReason({
        ...rule(2, 3, 'missing'),
        comparison: 'GreaterThanThreshold',
        from: 'OK',
        to: 'ALARM',
        evaluated: v.evaluated,
      }),
    ).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [10.0 (05/01/26 09:05:00), 10.0 (05/01/26 09:04:00)] ' +
        'were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
    const ok = evaluateAlarm(range('- - - X 0 0'), rule(2, 3, 'missing'));
    expect(
      thresholdCrossedReason({ ...rule(2, 3, 'missing'), from: 'ALARM', to: 'OK', evaluated: ok.evaluated }),
    ).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [0.0 (05/01/26 09:05:00), 0.0 (05/01/26 09:04:00)] ' +
        'were not greater than the threshold (5.0) (minimum 2 datapoints for ALARM -> OK transition).',
    );
    const single = evaluateAlarm(range('X'), rule(1, 1, 'missing'));
    expect(
      thresholdCrossedReason({
        ...rule(1, 1, 'missing'),
        from: 'OK',
        to: 'ALARM',
        evaluated: single.evaluated,
      }),
    ).toBe('Threshold Crossed: 1 datapoint [10.0 (05/01/26 09:00:00)] was greater than the threshold (5.0).');
  });
});

/** Alarm evaluation end to end: PutMetricData and PutMetricAlarm through the SDK, time moved on the virtual clock. */
describe('alarm evaluation in the sandbox', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    cw = new CloudWatchClient(config);
    // Past the first evaluation (09:00:05): from here on, each nextEvaluation() runs exactly one.
    await sb.clock.advance(30_000);
  });
  afterAll(async () => {
    await sb.close();
  });

  let seq = 0;
  /** A fresh metric and an alarm on it, so that tests sharing the sandbox do not see each other's data. */
  async function alarmOn(overrides: Partial<PutMetricAlarmInput> = {}) {
    seq += 1;
    const metric = {
      Namespace: 'Test/Eval',
      MetricName: `m${seq}`,
      Dimensions: [{ Name: 'Case', Value: `${seq}` }],
    };
    const name = `eval-${seq}`;
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        ...metric,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        ...overrides,
      }),
    );
    const put = (minutesAgo: number, datum: Partial<MetricDatum> = {}) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: metric.Namespace,
          MetricData: [
            {
              MetricName: metric.MetricName,
              Dimensions: metric.Dimensions,
              Timestamp: new Date(minuteStart() - minutesAgo * MIN),
              Value: 0,
              ...datum,
            },
          ],
        }),
      );
    return { name, metric, put };
  }

  const minuteStart = () => Math.floor(sb.clock.now() / MIN) * MIN;
  /** Moves to the next evaluation (whole minute + 5 s). */
  async function nextEvaluation(): Promise<void> {
    await sb.clock.advanceTo(minuteStart() + MIN + 5_000);
  }
  async function alarm(name: string): Promise<MetricAlarm> {
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    return out.MetricAlarms![0]!;
  }
  async function history(name: string): Promise<AlarmHistoryItem[]> {
    const out = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: name, ScanBy: 'TimestampAscending' }),
    );
    return out.AlarmHistoryItems!;
  }
  const eventsFor = (name: string) =>
    sb.core.bus
      .all()
      .filter((e) => e['detail-type'] === 'CloudWatch Alarm State Change' && e.detail.alarmName === name);

  it('goes to ALARM when M of the last N datapoints breach, and back to OK', async () => {
    const { name, put } = await alarmOn();
    expect((await alarm(name)).StateValue).toBe('INSUFFICIENT_DATA');
    expect((await alarm(name)).StateReason).toBe('Unchecked: Initial alarm creation');
    // The current minute (evaluated once it has ended) and the two before it: 0 X X is 2 out of 3.
    await put(0, { Value: 9 });
    await put(1, { Value: 7 });
    await put(2, { Value: 1 });
    const evaluatedAt = minuteStart() + MIN + 5_000;
    await nextEvaluation();
    const a = await alarm(name);
    expect(a.StateValue).toBe('ALARM');
    expect(a.StateReason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[9\.0 \(\d\d\/\d\d\/26 \d\d:\d\d:00\), 7\.0 .*\] were greater than the threshold \(5\.0\) \(minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition\)\.$/,
    );
    expect(a.StateUpdatedTimestamp!.getTime()).toBe(evaluatedAt);
    expect(a.StateTransitionedTimestamp!.getTime()).toBe(evaluatedAt);
    const data = JSON.parse(a.StateReasonData!);
    expect(data).toMatchObject({ version: '1.0', statistic: 'Maximum', period: 60, threshold: 5 });
    expect(data.recentDatapoints).toEqual([1, 7, 9]);
    expect(data.evaluatedDatapoints).toHaveLength(3);

    // A calm minute leaves X X 0, still two breaches; a second one leaves a single breach.
    await put(0, { Value: 2 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('ALARM');
    await put(0, { Value: 3 });
    await nextEvaluation();
    const ok = await alarm(name);
    expect(ok.StateValue).toBe('OK');
    expect(ok.StateReason).toContain('were not greater than the threshold (5.0)');
    expect(ok.StateReason).toContain('(minimum 2 datapoints for ALARM -> OK transition).');

    const h = (await history(name)).filter((i) => i.HistoryItemType === 'StateUpdate');
    expect(h.map((i) => i.HistorySummary)).toEqual([
      'Alarm updated from INSUFFICIENT_DATA to ALARM',
      'Alarm updated from ALARM to OK',
    ]);
    const hd = JSON.parse(h[1]!.HistoryData!);
    expect(hd.oldState.stateValue).toBe('ALARM');
    expect(hd.newState).toMatchObject({ stateValue: 'OK', stateReason: ok.StateReason });
    expect(hd.newState.stateReasonData.version).toBe('1.0');
  });

  it('publishes each state change on the bus in the shape EventBridge delivers', async () => {
    const { name, metric, put } = await alarmOn({
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      AlarmDescription: 'd',
    });
    await put(0, { Value: 50 });
    await nextEvaluation();
    const events = eventsFor(name);
    expect(events).toHaveLength(1);
    const e = events[0] as AwsEvent<Record<string, Record<string, unknown>>>;
    expect(e.source).toBe('aws.cloudwatch');
    expect(e.resources).toEqual([`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`]);
    expect(e.detail.state).toMatchObject({
      value: 'ALARM',
      reason: expect.stringContaining('Threshold Crossed'),
    });
    expect(e.detail.state!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:05\.000\+0000$/);
    expect(JSON.parse(e.detail.state!.reasonData as string).version).toBe('1.0');
    expect(e.detail.previousState).toMatchObject({
      value: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
    });
    expect(e.detail.configuration).toEqual({
      description: 'd',
      metrics: [
        {
          id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
          metricStat: {
            metric: {
              namespace: metric.Namespace,
              name: metric.MetricName,
              dimensions: { Case: metric.Dimensions[0]!.Value },
            },
            period: 60,
            stat: 'Maximum',
          },
          returnData: true,
        },
      ],
    });
    // No change, no event.
    await put(0, { Value: 60 });
    await nextEvaluation();
    expect(eventsFor(name)).toHaveLength(1);
  });

  it.each([
    [
      'breaching',
      'ALARM',
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].',
    ],
    [
      'notBreaching',
      'OK',
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].',
    ],
  ] as const)('treats a metric with no data as %s', async (treat, state, reason) => {
    const { name } = await alarmOn({ TreatMissingData: treat });
    await nextEvaluation();
    const a = await alarm(name);
    expect(a.StateValue).toBe(state);
    expect(a.StateReason).toBe(reason);
  });

  it('with TreatMissingData missing, stays INSUFFICIENT_DATA without data and returns to it when data stops', async () => {
    const { name, put } = await alarmOn({
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'missing',
    });
    await nextEvaluation();
    expect((await alarm(name)).StateReason).toBe('Unchecked: Initial alarm creation');
    await put(0, { Value: 1 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('OK');
    // The datapoint stays in the evaluation range (2 + 2 periods) for a while, then nothing is left.
    for (let i = 0; i < 3; i++) await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('OK');
    await nextEvaluation();
    const a = await alarm(name);
    expect(a.StateValue).toBe('INSUFFICIENT_DATA');
    expect(a.StateReason).toBe('Insufficient Data: 2 datapoints were unknown.');
  });

  it('with TreatMissingData ignore, keeps ALARM when the data stops', async () => {
    const { name, put } = await alarmOn({
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'ignore',
    });
    await put(0, { Value: 100 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('ALARM');
    for (let i = 0; i < 6; i++) await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('ALARM');
  });

  it('evaluates percentiles over the raw values of PutMetricData', async () => {
    const { name, put } = await alarmOn({
      Statistic: undefined,
      ExtendedStatistic: 'p90',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 80,
    });
    // 1..100: p90 is 90 (breaching); the maximum alone would have said the same, the median not.
    await put(0, { Value: undefined, Values: Array.from({ length: 100 }, (_, i) => i + 1) });
    await nextEvaluation();
    const a = await alarm(name);
    expect(a.StateValue).toBe('ALARM');
    expect(a.StateReason).toContain('[90.0 (');
    expect(JSON.parse(a.StateReasonData!).extendedStatistic).toBe('p90');
    // 1..100 with low values weighted: p90 drops under the threshold.
    await put(0, { Value: undefined, Values: [1, 100], Counts: [95, 5] });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('OK');
  });

  it('aggregates periods longer than a minute (Sum over 5 minutes)', async () => {
    const { name, put } = await alarmOn({
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 10,
    });
    // 4 per minute: 8 over the last two minutes is under 10; a third minute makes 12.
    await put(0, { Value: 4 });
    await put(1, { Value: 4 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('OK');
    await put(0, { Value: 4 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('ALARM');
    expect((await alarm(name)).StateReason).toContain('[12.0 (');
  });

  it('holds a SetAlarmState state only until the next evaluation decides otherwise', async () => {
    const { name, put } = await alarmOn({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    await put(0, { Value: 1 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('OK');
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: name,
        StateValue: 'ALARM',
        StateReason: 'testing',
        StateReasonData: '{"a":1}',
      }),
    );
    const forced = await alarm(name);
    expect(forced).toMatchObject({ StateValue: 'ALARM', StateReason: 'testing', StateReasonData: '{"a":1}' });
    expect(eventsFor(name).at(-1)!.detail).toMatchObject({
      state: { value: 'ALARM', reason: 'testing', reasonData: '{"a":1}' },
      previousState: { value: 'OK' },
    });
    await sb.clock.advance(30_000);
    expect((await alarm(name)).StateValue).toBe('ALARM');
    await put(0, { Value: 1 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('OK');
    expect((await history(name)).map((h) => h.HistorySummary)).toEqual([
      `Alarm "${name}" created`,
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from ALARM to OK',
    ]);
  });

  it('keeps the state while a percentile has too few samples, with EvaluateLowSampleCountPercentile ignore', async () => {
    const { name, put } = await alarmOn({
      Statistic: undefined,
      ExtendedStatistic: 'p99',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      EvaluateLowSampleCountPercentile: 'ignore',
    });
    await put(0, { Value: undefined, Values: [50], Counts: [10] });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('INSUFFICIENT_DATA');
    await put(0, { Value: undefined, Values: [50], Counts: [1000] });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('ALARM');
  });

  it('evaluates an alarm defined with Metrics (one MetricStat query)', async () => {
    const { name, put } = await alarmOn({
      MetricName: undefined,
      Namespace: undefined,
      Statistic: undefined,
      Dimensions: undefined,
      Period: undefined,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Metrics: [
        {
          Id: 'm1',
          MetricStat: {
            Metric: {
              Namespace: 'Test/Eval',
              MetricName: `m${seq + 1}`,
              Dimensions: [{ Name: 'Case', Value: `${seq + 1}` }],
            },
            Period: 60,
            Stat: 'Average',
          },
          ReturnData: true,
        },
      ],
    });
    await put(0, { Value: 9 });
    await nextEvaluation();
    expect((await alarm(name)).StateValue).toBe('ALARM');
  });
});

describe('the default world', () => {
  it("creates the world's alarms and they settle to OK once the world publishes metrics", async () => {
    const { sb, config } = await startSandbox();
    try {
      const cw = new CloudWatchClient(config);
      const names = [
        'checkout-5xx-rate',
        'checkout-availability-critical',
        'checkout-p99-latency',
        'checkout-replica-lag',
        'checkout-unhealthy-hosts',
      ];
      const before = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms!;
      expect(before.map((a) => a.AlarmName)).toEqual(names);
      for (const a of before) expect(a.StateValue, a.AlarmName).toBe('INSUFFICIENT_DATA');
      await sb.clock.advance(5 * MIN);
      // A quiet world raises no alarm on the way, not even those treating missing data as breaching
      // (Route 53's health-check alarm) before the first minute is published.
      const raised = sb.core.bus
        .all()
        .filter(
          (e) => e.source === 'aws.cloudwatch' && (e.detail.state as { value: string }).value === 'ALARM',
        );
      expect(raised.map((e) => e.detail.alarmName)).toEqual([]);
      const after = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms!;
      for (const a of after) {
        expect(a.StateValue, `${a.AlarmName}: ${a.StateReason}`).toBe('OK');
        expect(sb.core.alarms.stateOf(a.AlarmArn!)).toBe('OK');
      }
      // checkout-replica-lag treats missing data as missing: only the world's datapoints can make it OK.
      const lag = after.find((a) => a.AlarmName === 'checkout-replica-lag')!;
      expect(lag.StateReason).toMatch(/^Threshold Crossed: \d out of the last \d datapoints \[/);

      // An AZ's instances stop: the ALB marks them unhealthy after its health checks, and two
      // minutes of UnHealthyHostCount > 0 put checkout-unhealthy-hosts in ALARM.
      const arn = after.find((a) => a.AlarmName === 'checkout-unhealthy-hosts')!.AlarmArn!;
      sb.world.stopInstances(
        sb.world
          .instances()
          .filter((i) => i.az === 'us-east-1a')
          .map((i) => i.id),
      );
      const stoppedAt = sb.clock.now();
      while (sb.core.alarms.stateOf(arn) !== 'ALARM' && sb.clock.now() - stoppedAt < 10 * MIN) {
        await sb.clock.advance(MIN);
      }
      expect(sb.core.alarms.stateOf(arn)).toBe('ALARM');
      const alarmed = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-unhealthy-hosts'] })))
        .MetricAlarms![0]!;
      expect(alarmed.StateReason).toMatch(
        /^Threshold Crossed: 2 out of the last 2 datapoints \[[1-9]\d*\.0 .*\] were greater than the threshold \(0\.0\)/,
      );
      const event = sb.core.bus
        .all()
        .findLast((e) => e.source === 'aws.cloudwatch' && e.resources[0] === arn);
      expect(event?.detail).toMatchObject({ state: { value: 'ALARM' }, previousState: { value: 'OK' } });
    } finally {
      await sb.close();
    }
  });
});
