import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidFormatFault,
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListMetricsCommand,
  ListTagsForResourceCommand,
  type MetricDatum,
  MissingRequiredParameterException,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  PutMetricDataCommand,
  ResourceNotFound,
  ResourceNotFoundException,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

const MIN = 60_000;
const ARN_PREFIX = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:';

/** The error a call fails with (the test fails if it succeeds). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

function alarmInput(name: string, over: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput {
  return {
    AlarmName: name,
    Namespace: 'Test/Ops',
    MetricName: 'Latency',
    Dimensions: [{ Name: 'Service', Value: 'api' }],
    Statistic: 'Average',
    Period: 60,
    EvaluationPeriods: 2,
    Threshold: 100,
    ComparisonOperator: 'GreaterThanThreshold',
    ...over,
  };
}

describe('CloudWatch over the wire', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    cw = new CloudWatchClient(config);
    await sb.clock.advance(30_000);
  });
  afterAll(async () => {
    await sb.close();
  });

  const describeOne = async (name: string) =>
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0];

  describe('PutMetricAlarm', () => {
    it('creates an alarm with every field DescribeAlarms reports', async () => {
      await cw.send(
        new PutMetricAlarmCommand(
          alarmInput('ops-create', {
            AlarmDescription: 'latency',
            AlarmActions: ['arn:aws:sns:us-east-1:123456789012:page'],
            DatapointsToAlarm: 1,
            TreatMissingData: 'breaching',
            Unit: 'Milliseconds',
            Tags: [{ Key: 'team', Value: 'payments' }],
          }),
        ),
      );
      const a = await describeOne('ops-create');
      expect(a).toMatchObject({
        AlarmName: 'ops-create',
        AlarmArn: `${ARN_PREFIX}ops-create`,
        AlarmDescription: 'latency',
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: ['arn:aws:sns:us-east-1:123456789012:page'],
        InsufficientDataActions: [],
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        MetricName: 'Latency',
        Namespace: 'Test/Ops',
        Statistic: 'Average',
        Dimensions: [{ Name: 'Service', Value: 'api' }],
        Period: 60,
        Unit: 'Milliseconds',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(a!.StateUpdatedTimestamp).toEqual(sb.clock.date());
      expect(a!.StateTransitionedTimestamp).toEqual(sb.clock.date());
      expect(a!.AlarmConfigurationUpdatedTimestamp).toEqual(sb.clock.date());
      const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: a!.AlarmArn }));
      expect(tags.Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    });

    it('updates an alarm in place, keeping its state and recording the change', async () => {
      await cw.send(new PutMetricAlarmCommand(alarmInput('ops-update', { TreatMissingData: 'breaching' })));
      // Two minutes: the sandbox began at 09:00, so only from 09:02:05 are two empty periods there to fill.
      await sb.clock.advance(2 * MIN);
      expect((await describeOne('ops-update'))!.StateValue).toBe('ALARM');
      await cw.send(
        new PutMetricAlarmCommand(
          alarmInput('ops-update', { TreatMissingData: 'breaching', Threshold: 500 }),
        ),
      );
      const a = await describeOne('ops-update');
      expect(a).toMatchObject({ StateValue: 'ALARM', Threshold: 500 });
      expect(a!.AlarmConfigurationUpdatedTimestamp).toEqual(sb.clock.date());
      const h = await cw.send(
        new DescribeAlarmHistoryCommand({ AlarmName: 'ops-update', HistoryItemType: 'ConfigurationUpdate' }),
      );
      expect(h.AlarmHistoryItems!.map((i) => i.HistorySummary)).toEqual([
        'Alarm "ops-update" updated',
        'Alarm "ops-update" created',
      ]);
      const data = JSON.parse(h.AlarmHistoryItems![0]!.HistoryData!);
      expect(data).toMatchObject({ type: 'Update', originalUpdatedFields: { threshold: 100 } });
      expect(data.updatedAlarm.threshold).toBe(500);
    });

    it.each([
      ['a period that is not a multiple of 60', { Period: 61 }, InvalidParameterValueException],
      [
        'both Statistic and ExtendedStatistic',
        { ExtendedStatistic: 'p99' },
        InvalidParameterCombinationException,
      ],
      [
        'neither Statistic nor ExtendedStatistic',
        { Statistic: undefined },
        InvalidParameterCombinationException,
      ],
      [
        'an extended statistic other than a percentile',
        { Statistic: undefined, ExtendedStatistic: 'tm99' },
        InvalidParameterValueException,
      ],
      ['no MetricName', { MetricName: undefined }, MissingRequiredParameterException],
      ['no EvaluationPeriods', { EvaluationPeriods: undefined }, MissingRequiredParameterException],
      ['no Threshold', { Threshold: undefined }, MissingRequiredParameterException],
      ['EvaluationPeriods 0', { EvaluationPeriods: 0 }, ValidationException],
      ['DatapointsToAlarm above EvaluationPeriods', { DatapointsToAlarm: 3 }, ValidationException],
      ['an unknown ComparisonOperator', { ComparisonOperator: 'Above' as never }, ValidationException],
      [
        'an anomaly band comparison',
        { ComparisonOperator: 'GreaterThanUpperThreshold' },
        InvalidParameterValueException,
      ],
      ['an unknown TreatMissingData', { TreatMissingData: 'zero' }, ValidationException],
      ['an unknown Statistic', { Statistic: 'Median' as never }, ValidationException],
      ['evaluation beyond one day', { EvaluationPeriods: 1441 }, ValidationException],
      ['an action that is not an ARN', { AlarmActions: ['page-me'] }, ValidationException],
      [
        'MetricName with Metrics',
        {
          Metrics: [
            {
              Id: 'm1',
              MetricStat: { Metric: { Namespace: 'A', MetricName: 'B' }, Period: 60, Stat: 'Sum' },
            },
          ],
        },
        InvalidParameterCombinationException,
      ],
    ])('refuses %s and changes nothing', async (_what, over, errorClass) => {
      const err = await failure(
        cw.send(new PutMetricAlarmCommand(alarmInput('ops-refused', over as Partial<PutMetricAlarmInput>))),
      );
      expect(err).toBeInstanceOf(errorClass);
      expect(err.name).toBe(errorClass.name);
      expect(err.message.length).toBeGreaterThan(10);
      expect(await describeOne('ops-refused')).toBeUndefined();
    });

    it('refuses metric math in Metrics with a clear ValidationError', async () => {
      const err = await failure(
        cw.send(
          new PutMetricAlarmCommand({
            AlarmName: 'ops-math',
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanThreshold',
            Metrics: [{ Id: 'e1', Expression: 'SUM(METRICS())', ReturnData: true }],
          }),
        ),
      );
      expect(err).toBeInstanceOf(ValidationException);
      expect(err.message).toContain('metric math');
    });
  });

  describe('DescribeAlarms', () => {
    beforeAll(async () => {
      for (const n of ['list-a', 'list-b', 'list-c', 'list-d']) {
        await cw.send(
          new PutMetricAlarmCommand(
            alarmInput(
              n,
              n === 'list-b' ? { OKActions: ['arn:aws:sns:us-east-1:123456789012:ok-topic'] } : {},
            ),
          ),
        );
      }
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: 'list-c', StateValue: 'ALARM', StateReason: 'test' }),
      );
    });

    it('filters by prefix, state and action prefix, sorted by name', async () => {
      const byPrefix = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'list-' }));
      expect(byPrefix.MetricAlarms!.map((a) => a.AlarmName)).toEqual([
        'list-a',
        'list-b',
        'list-c',
        'list-d',
      ]);
      const alarmed = await cw.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: 'list-', StateValue: 'ALARM' }),
      );
      expect(alarmed.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['list-c']);
      const byAction = await cw.send(
        new DescribeAlarmsCommand({ ActionPrefix: 'arn:aws:sns:us-east-1:123456789012:ok' }),
      );
      expect(byAction.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['list-b']);
      const named = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['list-d', 'list-a', 'nope'] }));
      expect(named.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['list-a', 'list-d']);
      const composite = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));
      expect(composite.MetricAlarms).toEqual([]);
      expect(composite.CompositeAlarms).toEqual([]);
    });

    it('pages with MaxRecords and NextToken', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await cw.send(
          new DescribeAlarmsCommand({ AlarmNamePrefix: 'list-', MaxRecords: 3, NextToken: token }),
        );
        expect(page.MetricAlarms!.length).toBeLessThanOrEqual(3);
        seen.push(...page.MetricAlarms!.map((a) => a.AlarmName!));
        token = page.NextToken;
      } while (token);
      expect(seen).toEqual(['list-a', 'list-b', 'list-c', 'list-d']);
    });

    it('refuses a forged NextToken, AlarmNames with a prefix, and a bad StateValue', async () => {
      expect(await failure(cw.send(new DescribeAlarmsCommand({ NextToken: 'garbage' })))).toBeInstanceOf(
        InvalidNextToken,
      );
      expect(
        await failure(cw.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' }))),
      ).toBeInstanceOf(InvalidParameterCombinationException);
      expect(
        await failure(cw.send(new DescribeAlarmsCommand({ StateValue: 'BAD' as never }))),
      ).toBeInstanceOf(ValidationException);
      expect(await failure(cw.send(new DescribeAlarmsCommand({ MaxRecords: 101 })))).toBeInstanceOf(
        ValidationException,
      );
    });
  });

  it('DescribeAlarmsForMetric finds the alarms on one metric', async () => {
    await cw.send(new PutMetricAlarmCommand(alarmInput('for-metric-1', { Namespace: 'Test/ForMetric' })));
    await cw.send(
      new PutMetricAlarmCommand(
        alarmInput('for-metric-2', {
          Namespace: 'Test/ForMetric',
          Statistic: undefined,
          ExtendedStatistic: 'p99',
        }),
      ),
    );
    await cw.send(
      new PutMetricAlarmCommand(
        alarmInput('for-metric-other', { Namespace: 'Test/ForMetric', Dimensions: [] }),
      ),
    );
    const base = {
      Namespace: 'Test/ForMetric',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'Service', Value: 'api' }],
    };
    const all = await cw.send(new DescribeAlarmsForMetricCommand(base));
    expect(all.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['for-metric-1', 'for-metric-2']);
    const p99 = await cw.send(new DescribeAlarmsForMetricCommand({ ...base, ExtendedStatistic: 'p99' }));
    expect(p99.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['for-metric-2']);
    const none = await cw.send(new DescribeAlarmsForMetricCommand({ ...base, Period: 300 }));
    expect(none.MetricAlarms).toEqual([]);
    expect(
      await failure(cw.send(new DescribeAlarmsForMetricCommand({ Namespace: 'x' } as never))),
    ).toBeInstanceOf(MissingRequiredParameterException);
  });

  it('DeleteAlarms deletes all or nothing', async () => {
    await cw.send(new PutMetricAlarmCommand(alarmInput('del-1')));
    await cw.send(new PutMetricAlarmCommand(alarmInput('del-2')));
    const err = await failure(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['del-1', 'del-missing'] })));
    expect(err).toBeInstanceOf(ResourceNotFound);
    expect(err.name).toBe('ResourceNotFound');
    expect(err.message).toContain('del-missing');
    expect(await describeOne('del-1')).toBeDefined();
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['del-1', 'del-2'] }));
    expect(await describeOne('del-1')).toBeUndefined();
    expect(await describeOne('del-2')).toBeUndefined();
    // The history outlives the alarm, as in CloudWatch.
    const h = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'del-1' }));
    expect(h.AlarmHistoryItems!.length).toBe(1);
    expect(await failure(cw.send(new DeleteAlarmsCommand({} as never)))).toBeInstanceOf(
      MissingRequiredParameterException,
    );
  });

  describe('SetAlarmState', () => {
    it('sets the state, records it and publishes the change', async () => {
      await cw.send(new PutMetricAlarmCommand(alarmInput('set-1')));
      const before = sb.core.bus.all().length;
      await cw.send(
        new SetAlarmStateCommand({
          AlarmName: 'set-1',
          StateValue: 'OK',
          StateReason: 'manual',
          StateReasonData: '{"x":1}',
        }),
      );
      expect(await describeOne('set-1')).toMatchObject({
        StateValue: 'OK',
        StateReason: 'manual',
        StateReasonData: '{"x":1}',
      });
      const events = sb.core.bus.all().slice(before);
      expect(events).toHaveLength(1);
      expect(events[0]!.detail).toMatchObject({
        alarmName: 'set-1',
        state: { value: 'OK', reason: 'manual' },
        previousState: { value: 'INSUFFICIENT_DATA' },
      });
    });

    it('refuses an unknown alarm, invalid JSON and a bad state, changing nothing', async () => {
      await cw.send(new PutMetricAlarmCommand(alarmInput('set-2')));
      const unknown = await failure(
        cw.send(new SetAlarmStateCommand({ AlarmName: 'set-nope', StateValue: 'OK', StateReason: 'x' })),
      );
      expect(unknown).toBeInstanceOf(ResourceNotFound);
      const badJson = await failure(
        cw.send(
          new SetAlarmStateCommand({
            AlarmName: 'set-2',
            StateValue: 'ALARM',
            StateReason: 'x',
            StateReasonData: '{',
          }),
        ),
      );
      expect(badJson).toBeInstanceOf(InvalidFormatFault);
      expect(badJson.name).toBe('InvalidFormatFault');
      const badState = await failure(
        cw.send(
          new SetAlarmStateCommand({ AlarmName: 'set-2', StateValue: 'BROKEN' as never, StateReason: 'x' }),
        ),
      );
      expect(badState).toBeInstanceOf(ValidationException);
      expect(badState.message).toContain(
        'Member must satisfy enum value set: [OK, ALARM, INSUFFICIENT_DATA]',
      );
      expect((await describeOne('set-2'))!.StateValue).toBe('INSUFFICIENT_DATA');
    });
  });

  it('EnableAlarmActions and DisableAlarmActions switch ActionsEnabled', async () => {
    await cw.send(new PutMetricAlarmCommand(alarmInput('actions-1')));
    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['actions-1'] }));
    expect((await describeOne('actions-1'))!.ActionsEnabled).toBe(false);
    await cw.send(new EnableAlarmActionsCommand({ AlarmNames: ['actions-1'] }));
    expect((await describeOne('actions-1'))!.ActionsEnabled).toBe(true);
    expect(
      await failure(
        cw.send(
          new EnableAlarmActionsCommand({ AlarmNames: Array.from({ length: 101 }, (_, i) => `a${i}`) }),
        ),
      ),
    ).toBeInstanceOf(ValidationException);
  });

  it('DescribeAlarmHistory filters by type and time, scans both ways and pages', async () => {
    // TreatMissingData ignore: a minute's evaluation in between leaves the states set here alone.
    await cw.send(new PutMetricAlarmCommand(alarmInput('hist-1', { TreatMissingData: 'ignore' })));
    const t1 = sb.clock.now();
    await sb.clock.advance(1_000);
    for (const state of ['OK', 'ALARM', 'OK'] as const) {
      await cw.send(new SetAlarmStateCommand({ AlarmName: 'hist-1', StateValue: state, StateReason: state }));
      await sb.clock.advance(1_000);
    }
    const all = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'hist-1' }));
    expect(all.AlarmHistoryItems!.map((i) => i.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm "hist-1" created',
    ]);
    expect(all.AlarmHistoryItems![0]).toMatchObject({
      AlarmName: 'hist-1',
      AlarmType: 'MetricAlarm',
      HistoryItemType: 'StateUpdate',
    });
    expect(all.AlarmHistoryItems![3]!.Timestamp).toEqual(new Date(t1));
    const ascending = await cw.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'hist-1',
        HistoryItemType: 'StateUpdate',
        ScanBy: 'TimestampAscending',
      }),
    );
    expect(ascending.AlarmHistoryItems!.map((i) => JSON.parse(i.HistoryData!).newState.stateValue)).toEqual([
      'OK',
      'ALARM',
      'OK',
    ]);
    const windowed = await cw.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'hist-1',
        StartDate: new Date(t1 + 1_500),
        EndDate: new Date(t1 + 2_500),
      }),
    );
    expect(windowed.AlarmHistoryItems!.map((i) => i.HistorySummary)).toEqual([
      'Alarm updated from OK to ALARM',
    ]);
    const first = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'hist-1', MaxRecords: 3 }));
    expect(first.AlarmHistoryItems).toHaveLength(3);
    const rest = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'hist-1', MaxRecords: 3, NextToken: first.NextToken }),
    );
    expect(rest.AlarmHistoryItems!.map((i) => i.HistorySummary)).toEqual(['Alarm "hist-1" created']);
    expect(rest.NextToken).toBeUndefined();
    expect(
      await failure(cw.send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'Everything' as never }))),
    ).toBeInstanceOf(ValidationException);
    expect(await failure(cw.send(new DescribeAlarmHistoryCommand({ NextToken: 'zzz' })))).toBeInstanceOf(
      InvalidNextToken,
    );
  });

  describe('tags', () => {
    it('tags, lists and untags an alarm', async () => {
      await cw.send(new PutMetricAlarmCommand(alarmInput('tags-1', { Tags: [{ Key: 'a', Value: '1' }] })));
      const arn = `${ARN_PREFIX}tags-1`;
      await cw.send(
        new TagResourceCommand({
          ResourceARN: arn,
          Tags: [
            { Key: 'a', Value: '2' },
            { Key: 'b', Value: '3' },
          ],
        }),
      );
      expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([
        { Key: 'a', Value: '2' },
        { Key: 'b', Value: '3' },
      ]);
      await cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] }));
      expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([
        { Key: 'b', Value: '3' },
      ]);
    });

    it('refuses unknown alarms, malformed ARNs and reserved keys', async () => {
      expect(
        await failure(cw.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN_PREFIX}tags-none` }))),
      ).toBeInstanceOf(ResourceNotFoundException);
      expect(
        await failure(cw.send(new ListTagsForResourceCommand({ ResourceARN: 'not-an-arn' }))),
      ).toBeInstanceOf(InvalidParameterValueException);
      await cw.send(new PutMetricAlarmCommand(alarmInput('tags-2')));
      expect(
        await failure(
          cw.send(
            new TagResourceCommand({
              ResourceARN: `${ARN_PREFIX}tags-2`,
              Tags: [{ Key: 'aws:x', Value: '1' }],
            }),
          ),
        ),
      ).toBeInstanceOf(InvalidParameterValueException);
      expect(
        (await cw.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN_PREFIX}tags-2` }))).Tags,
      ).toEqual([]);
    });
  });

  describe('metric data', () => {
    const ns = 'Test/Metrics';
    let t: number;
    beforeAll(async () => {
      t = Math.floor(sb.clock.now() / MIN) * MIN - 10 * MIN;
      const at = (m: number) => new Date(t + m * MIN + 15_000);
      const data: MetricDatum[] = [
        {
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Api', Value: 'a' }],
          Timestamp: at(0),
          Value: 10,
          Unit: 'Count',
        },
        {
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Api', Value: 'a' }],
          Timestamp: at(0),
          Value: 30,
          Unit: 'Count',
        },
        {
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Api', Value: 'a' }],
          Timestamp: at(1),
          StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 10, Maximum: 40 },
          Unit: 'Count',
        },
        {
          MetricName: 'Latency',
          Dimensions: [{ Name: 'Api', Value: 'a' }],
          Timestamp: at(2),
          Values: [100, 200, 900],
          Counts: [8, 1, 1],
          Unit: 'Milliseconds',
        },
        {
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Api', Value: 'b' }],
          Timestamp: at(2),
          Value: 5,
          Unit: 'Count',
        },
      ];
      await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
    });

    it('GetMetricStatistics aggregates per period, including StatisticValues', async () => {
      const out = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: ns,
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Api', Value: 'a' }],
          StartTime: new Date(t),
          EndTime: new Date(t + 5 * MIN),
          Period: 60,
          Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
        }),
      );
      expect(out.Label).toBe('Requests');
      expect(out.Datapoints).toEqual([
        {
          Timestamp: new Date(t),
          SampleCount: 2,
          Sum: 40,
          Average: 20,
          Minimum: 10,
          Maximum: 30,
          Unit: 'Count',
        },
        {
          Timestamp: new Date(t + MIN),
          SampleCount: 4,
          Sum: 100,
          Average: 25,
          Minimum: 10,
          Maximum: 40,
          Unit: 'Count',
        },
      ]);
      const five = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: ns,
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Api', Value: 'a' }],
          StartTime: new Date(t),
          EndTime: new Date(t + 5 * MIN),
          Period: 300,
          Statistics: ['Sum'],
        }),
      );
      expect(five.Datapoints).toEqual([{ Timestamp: new Date(t), Sum: 140, Unit: 'Count' }]);
    });

    it('GetMetricStatistics computes percentiles and filters by unit', async () => {
      const q = {
        Namespace: ns,
        MetricName: 'Latency',
        Dimensions: [{ Name: 'Api', Value: 'a' }],
        StartTime: new Date(t),
        EndTime: new Date(t + 5 * MIN),
        Period: 60,
        ExtendedStatistics: ['p50', 'p90', 'p99'],
      };
      const out = await cw.send(new GetMetricStatisticsCommand(q));
      expect(out.Datapoints).toEqual([
        {
          Timestamp: new Date(t + 2 * MIN),
          Unit: 'Milliseconds',
          ExtendedStatistics: { p50: 100, p90: 200, p99: 900 },
        },
      ]);
      const wrongUnit = await cw.send(new GetMetricStatisticsCommand({ ...q, Unit: 'Seconds' }));
      expect(wrongUnit.Datapoints).toEqual([]);
    });

    it('GetMetricStatistics refuses bad requests', async () => {
      const q = {
        Namespace: ns,
        MetricName: 'Requests',
        StartTime: new Date(t),
        EndTime: new Date(t + 5 * MIN),
        Period: 60,
        Statistics: ['Sum' as const],
      };
      expect(
        await failure(cw.send(new GetMetricStatisticsCommand({ ...q, StartTime: q.EndTime }))),
      ).toBeInstanceOf(InvalidParameterValueException);
      expect(await failure(cw.send(new GetMetricStatisticsCommand({ ...q, Statistics: [] })))).toBeInstanceOf(
        InvalidParameterCombinationException,
      );
      expect(
        await failure(
          cw.send(new GetMetricStatisticsCommand({ ...q, StartTime: new Date(t - 2 * 86_400_000) })),
        ),
      ).toBeInstanceOf(InvalidParameterCombinationException);
      expect(await failure(cw.send(new GetMetricStatisticsCommand({ ...q, Period: 45 })))).toBeInstanceOf(
        InvalidParameterValueException,
      );
      expect(
        await failure(cw.send(new GetMetricStatisticsCommand({ ...q, Period: undefined } as never))),
      ).toBeInstanceOf(MissingRequiredParameterException);
    });

    it('GetMetricData answers newest first by default, oldest first when asked', async () => {
      const query = (id: string, api: string, stat: string, label?: string) => ({
        Id: id,
        MetricStat: {
          Metric: { Namespace: ns, MetricName: 'Requests', Dimensions: [{ Name: 'Api', Value: api }] },
          Period: 60,
          Stat: stat,
        },
        ...(label ? { Label: label } : {}),
      });
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(t),
          EndTime: new Date(t + 5 * MIN),
          MetricDataQueries: [
            query('a', 'a', 'Sum'),
            query('b', 'b', 'Maximum', 'api b'),
            { ...query('hidden', 'a', 'Sum'), ReturnData: false },
          ],
        }),
      );
      expect(out.MetricDataResults).toEqual([
        {
          Id: 'a',
          Label: 'Requests',
          Timestamps: [new Date(t + MIN), new Date(t)],
          Values: [100, 40],
          StatusCode: 'Complete',
          Messages: [],
        },
        {
          Id: 'b',
          Label: 'api b',
          Timestamps: [new Date(t + 2 * MIN)],
          Values: [5],
          StatusCode: 'Complete',
          Messages: [],
        },
      ]);
      const ascending = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(t),
          EndTime: new Date(t + 5 * MIN),
          ScanBy: 'TimestampAscending',
          MetricDataQueries: [query('a', 'a', 'Average')],
        }),
      );
      expect(ascending.MetricDataResults![0]!.Values).toEqual([20, 25]);
    });

    it('GetMetricData refuses expressions, bad ids and unknown statistics', async () => {
      const base = { StartTime: new Date(t), EndTime: new Date(t + 5 * MIN) };
      const expr = await failure(
        cw.send(
          new GetMetricDataCommand({
            ...base,
            MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }],
          }),
        ),
      );
      expect(expr).toBeInstanceOf(ValidationException);
      expect(expr.message).toContain('metric math');
      const stat = { Metric: { Namespace: ns, MetricName: 'Requests' }, Period: 60, Stat: 'Sum' };
      expect(
        await failure(
          cw.send(
            new GetMetricDataCommand({ ...base, MetricDataQueries: [{ Id: 'Bad', MetricStat: stat }] }),
          ),
        ),
      ).toBeInstanceOf(ValidationException);
      expect(
        await failure(
          cw.send(
            new GetMetricDataCommand({
              ...base,
              MetricDataQueries: [{ Id: 'a', MetricStat: { ...stat, Stat: 'Mean' } }],
            }),
          ),
        ),
      ).toBeInstanceOf(InvalidParameterValueException);
      expect(
        await failure(
          cw.send(
            new GetMetricDataCommand({
              ...base,
              MetricDataQueries: [
                { Id: 'a', MetricStat: stat },
                { Id: 'a', MetricStat: stat },
              ],
            }),
          ),
        ),
      ).toBeInstanceOf(ValidationException);
    });

    it('ListMetrics filters by namespace, name and dimensions', async () => {
      const all = await cw.send(new ListMetricsCommand({ Namespace: ns }));
      expect(all.Metrics).toEqual([
        { Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Api', Value: 'a' }] },
        { Namespace: ns, MetricName: 'Requests', Dimensions: [{ Name: 'Api', Value: 'a' }] },
        { Namespace: ns, MetricName: 'Requests', Dimensions: [{ Name: 'Api', Value: 'b' }] },
      ]);
      const b = await cw.send(
        new ListMetricsCommand({ Namespace: ns, Dimensions: [{ Name: 'Api', Value: 'b' }] }),
      );
      expect(b.Metrics!.map((m) => m.MetricName)).toEqual(['Requests']);
      const named = await cw.send(
        new ListMetricsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Api' }] }),
      );
      expect(named.Metrics).toHaveLength(1);
      // The world's own metrics are there too.
      const world = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/RDS', RecentlyActive: 'PT3H' }));
      expect(world.Metrics!.map((m) => m.MetricName)).toContain('AuroraReplicaLag');
    });

    it('ListMetrics pages 500 metrics at a time', async () => {
      const data = Array.from({ length: 501 }, (_, i) => ({
        MetricName: `m${String(i).padStart(3, '0')}`,
        Value: i,
      }));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Test/Many', MetricData: data.slice(0, 500) }));
      await cw.send(new PutMetricDataCommand({ Namespace: 'Test/Many', MetricData: data.slice(500) }));
      const first = await cw.send(new ListMetricsCommand({ Namespace: 'Test/Many' }));
      expect(first.Metrics).toHaveLength(500);
      const second = await cw.send(
        new ListMetricsCommand({ Namespace: 'Test/Many', NextToken: first.NextToken }),
      );
      expect(second.Metrics!.map((m) => m.MetricName)).toEqual(['m500']);
      expect(second.NextToken).toBeUndefined();
    });

    it('PutMetricData refuses bad input and stores nothing of a refused request', async () => {
      const good = { MetricName: 'Refused', Value: 1 };
      const cases: [Partial<MetricDatum>[], string, new (...args: never[]) => Error][] = [
        [
          [{ Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }],
          'Test/Refused',
          InvalidParameterCombinationException,
        ],
        [[{ Value: undefined, Values: [1, 2], Counts: [1] }], 'Test/Refused', InvalidParameterValueException],
        [[{ Value: undefined }], 'Test/Refused', InvalidParameterCombinationException],
        [
          [{ Timestamp: new Date(sb.clock.now() - 15 * 86_400_000) }],
          'Test/Refused',
          InvalidParameterValueException,
        ],
        [[{ Unit: 'Furlongs' as never }], 'Test/Refused', ValidationException],
        [[{}], 'AWS/EC2', InvalidParameterValueException],
        [[{ MetricName: undefined }], 'Test/Refused', MissingRequiredParameterException],
      ];
      for (const [bad, namespace, errorClass] of cases) {
        const err = await failure(
          cw.send(
            new PutMetricDataCommand({
              Namespace: namespace,
              MetricData: [good, ...bad.map((b) => ({ ...good, ...b }))] as MetricDatum[],
            }),
          ),
        );
        expect(err, JSON.stringify(bad)).toBeInstanceOf(errorClass);
      }
      const tooMany = Array.from({ length: 1001 }, () => good);
      expect(
        await failure(cw.send(new PutMetricDataCommand({ Namespace: 'Test/Refused', MetricData: tooMany }))),
      ).toBeInstanceOf(ValidationException);
      expect((await cw.send(new ListMetricsCommand({ Namespace: 'Test/Refused' }))).Metrics).toEqual([]);
    });
  });
});

it('keeps alarms, their state and history across a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-cw-'));
  try {
    const first = await Sandbox.create({ stateDir: dir, fresh: true });
    const endpoint = await first.listen(0);
    const cfg = {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox-secret' },
      maxAttempts: 1,
    };
    const cw = new CloudWatchClient(cfg);
    await cw.send(new PutMetricAlarmCommand(alarmInput('persisted', { Tags: [{ Key: 'k', Value: 'v' }] })));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'persisted', StateValue: 'ALARM', StateReason: 'kept' }),
    );
    await first.close();

    const second = await Sandbox.create({ stateDir: dir });
    try {
      const a = second.core.alarms.get('persisted');
      expect(a).toMatchObject({ StateValue: 'ALARM', StateReason: 'kept', Threshold: 100 });
      expect(second.core.alarms.tagsOf(`${ARN_PREFIX}persisted`)).toEqual([{ Key: 'k', Value: 'v' }]);
      expect(second.core.alarms.history({ alarmName: 'persisted' }).map((h) => h.HistorySummary)).toEqual([
        'Alarm updated from INSUFFICIENT_DATA to ALARM',
        'Alarm "persisted" created',
      ]);
      // The default alarms came back once, not twice.
      expect(second.core.alarms.list({ prefix: 'checkout-5xx' })).toHaveLength(1);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
