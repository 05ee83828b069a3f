/**
 * FIS stop conditions against CloudWatch alarms. The alarms are driven through the real CloudWatch
 * client (PutMetricAlarm, SetAlarmState), so these tests also depend on the sandbox's CloudWatch
 * service and AlarmEngine: a failure at PutMetricAlarm or SetAlarmState is theirs, not FIS's.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { FisClient, StartExperimentCommand } from '@aws-sdk/client-fis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import {
  advanceToRunning,
  CHECKOUT_INSTANCES,
  createTemplate,
  getExperiment,
  worldWithoutAutoScaling,
} from './fis-helpers.ts';

const ALARM = 'fis-guardrail';
const ALARM_ARN = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM}`;

describe('FIS stop conditions', () => {
  let sb: Sandbox;
  let fis: FisClient;
  let cloudwatch: CloudWatchClient;

  beforeEach(async () => {
    const started = await startSandbox({ world: await worldWithoutAutoScaling() });
    sb = started.sb;
    fis = new FisClient(started.config);
    cloudwatch = new CloudWatchClient(started.config);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: ALARM,
        Namespace: 'Faultline/Test',
        MetricName: 'Nothing',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
  });
  afterEach(async () => {
    await sb.close();
  });

  const setAlarm = (StateValue: 'ALARM' | 'OK') =>
    cloudwatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue, StateReason: 'test' }));

  const guardedTemplate = () =>
    createTemplate(fis, {
      stopConditions: [{ source: 'aws:cloudwatch:alarm', value: ALARM_ARN }],
      targets: {
        web: {
          ...CHECKOUT_INSTANCES,
          filters: [{ path: 'Placement.AvailabilityZone', values: ['us-east-1a'] }],
        },
      },
      actions: {
        stop: {
          actionId: 'aws:ec2:stop-instances',
          parameters: { startInstancesAfterDuration: 'PT30M' },
          targets: { Instances: 'web' },
        },
      },
    });

  it('stops a running experiment when its stop-condition alarm enters ALARM, and rolls it back', async () => {
    const templateId = await guardedTemplate();
    const id = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }))).experiment!
      .id!;
    await advanceToRunning(sb);
    await sb.clock.advance(2 * 60_000);
    expect(
      sb.world
        .instances()
        .filter((i) => i.az === 'us-east-1a')
        .map((i) => i.state),
    ).toEqual(['stopped', 'stopped']);

    await setAlarm('ALARM');
    const reason = `Experiment stopped by stop condition: the alarm ${ALARM_ARN} entered ALARM.`;
    expect((await getExperiment(fis, id)).state).toEqual({ status: 'stopping', reason });
    await sb.clock.advance(1_000);
    expect((await getExperiment(fis, id)).state).toEqual({ status: 'stopped', reason });
    await sb.clock.advance(60_000);
    expect(sb.world.instances().every((i) => i.state === 'running')).toBe(true);
  });

  it('does not start an experiment whose stop-condition alarm is already in ALARM', async () => {
    const templateId = await guardedTemplate();
    await setAlarm('ALARM');
    const id = (await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }))).experiment!
      .id!;
    await advanceToRunning(sb);
    const exp = await getExperiment(fis, id);
    expect(exp.state).toEqual({
      status: 'failed',
      reason: `The stop condition alarm ${ALARM_ARN} is in ALARM state, so the experiment cannot start.`,
    });
    expect(exp.actions!.stop!.state!.status).toBe('cancelled');
    expect(sb.world.instances().every((i) => i.state === 'running')).toBe(true);
  });
});
