import {
  CreateExperimentTemplateCommand,
  type FisClient,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { releaseLease } from '../../src/gameday/lease.ts';
import { openIncident } from '../../src/gameday/open-incident.ts';
import { preflight } from '../../src/gameday/preflight.ts';
import {
  experimentFile,
  type GameDayStack,
  gameDay,
  MINUTE,
  startGameDayStack,
  withResult,
} from './stack.ts';

let gd: GameDayStack;
let azOutage: ExperimentInput;

beforeAll(async () => {
  gd = await startGameDayStack();
  azOutage = await experimentFile('az-outage');
  // Alarms start in INSUFFICIENT_DATA; a few minutes of steady traffic bring them to OK.
  await gd.stack.clock.advance(5 * MINUTE);
});
afterAll(() => gd?.close());

async function fisCounts(fis: FisClient) {
  const templates = (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? [];
  const experiments = (await fis.send(new ListExperimentsCommand({}))).experiments ?? [];
  return { templates: templates.length, experiments: experiments.length };
}

/** Opens the incident and runs preflight, as the state machine does. */
async function runPreflight(id: string, experiment: ExperimentInput) {
  let state = gameDay(id, experiment);
  state = withResult(state, 'incident', await openIncident(state, gd.deps));
  return { state, result: await preflight(state, gd.deps) };
}

/** Runs a preflight expected to refuse; checks that it says why, closes the incident and creates nothing. */
async function expectRefusal(id: string, experiment: ExperimentInput, reason: RegExp) {
  const before = await fisCounts(gd.deps.aws.fis);
  const { result } = await runPreflight(id, experiment);
  expect(result.ok).toBe(false);
  expect(result.reasons).toEqual([expect.stringMatching(reason)]);
  expect(await fisCounts(gd.deps.aws.fis)).toEqual(before);
  expect((await gd.deps.store.getIncident(id)).status).toBe('refused');
  const refused = (await gd.deps.store.all(id)).find((e) => e.kind === 'gameday.refused');
  expect(refused?.detail).toEqual({ reasons: result.reasons });
  return result;
}

async function setKillSwitch(value: string) {
  await gd.deps.aws.ssm.send(
    new PutParameterCommand({
      Name: gd.deps.env.killSwitchParameter,
      Value: value,
      Type: 'String',
      Overwrite: true,
    }),
  );
}

describe('preflight', () => {
  it('passes on the steady checkout world and records every check', async () => {
    const { result } = await runPreflight('pf-ok', azOutage);
    expect(result.reasons).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'kill-switch',
      'alarm:checkout-5xx-rate',
      'alarm:checkout-p99-latency',
      'alarm:checkout-unhealthy-hosts',
      expect.stringMatching(/^health-check:/),
      'metric:error-rate',
      'stop-condition:checkout-availability-critical',
      'exclusive',
      'window',
      'blast-radius',
      'lease',
    ]);
    expect(result.checks.every((c) => c.ok)).toBe(true);
    // us-east-1a holds two of the six instances; its subnets reach the same two.
    expect(result.blastRadius).toMatchObject({ instancesHit: 2, instancesTotal: 6, percent: 33.3 });
    // What is not counted in instances is named as such, not as hitting nothing.
    expect(result.blastRadius.uncounted).toEqual({
      database: 'aws:rds:cluster',
      'session-cache': 'aws:elasticache:replicationgroup',
      'az-tasks': 'aws:ecs:task',
      group: 'aws:ec2:autoscaling-group',
      'load-balancer': 'aws:arc:zonal-shift-managed-resource',
    });
    expect(result.blastRadius.targets['az-instances']).toHaveLength(2);
    expect(result.blastRadius.targets['az-subnets']).toEqual(result.blastRadius.targets['az-instances']);

    // The metric alarms it watches, with their thresholds, for the report's charts.
    const alarms = (await gd.deps.store.getIncident('pf-ok')).attributes.alarms as Array<
      Record<string, unknown>
    >;
    expect(alarms.map((a) => [a.name, a.threshold, a.stopCondition])).toEqual([
      ['checkout-availability-critical', 25, true],
      ['checkout-5xx-rate', 5, false],
      ['checkout-p99-latency', 1, false],
      ['checkout-unhealthy-hosts', 0, false],
    ]);
    expect(alarms[2]).toMatchObject({ metric: 'TargetResponseTime', statistic: 'p99', periodSeconds: 60 });

    const events = await gd.deps.store.all('pf-ok');
    expect(events.filter((e) => e.kind === 'gameday.preflight')).toHaveLength(result.checks.length);
    expect(events.filter((e) => e.kind === 'gameday.step').map((e) => e.eventId)).toEqual(
      expect.arrayContaining(['step:Preflight:started:1', 'step:Preflight:succeeded:1']),
    );
    expect((await gd.deps.store.getIncident('pf-ok')).status).toBe('open');
    // It holds checkout's lease now: give it back, as its report step would, for the next game day.
    await releaseLease(gd.deps.safety, 'checkout', 'pf-ok');
  });

  it('records a retried step as its next attempt, and each check once', async () => {
    const { state } = await runPreflight('pf-retry', azOutage);
    await preflight(state, gd.deps);
    const events = await gd.deps.store.all('pf-retry');
    const steps = events.filter((e) => e.kind === 'gameday.step' && e.detail.step === 'Preflight');
    expect(steps.map((e) => e.eventId).sort()).toEqual([
      'step:Preflight:started:1',
      'step:Preflight:started:2',
      'step:Preflight:succeeded:1',
      'step:Preflight:succeeded:2',
    ]);
    expect(events.filter((e) => e.kind === 'gameday.preflight')).toHaveLength(11);
    expect(events.find((e) => e.eventId === 'preflight:lease')?.detail.ok).toBe(true);
    await releaseLease(gd.deps.safety, 'checkout', 'pf-retry');
  });

  it('refuses while the kill switch is on', async () => {
    await setKillSwitch('on');
    try {
      await expectRefusal(
        'pf-kill',
        azOutage,
        /^az-outage: kill switch \/faultline\/dev\/kill-switch is on$/,
      );
    } finally {
      await setKillSwitch('off');
    }
  });

  it('refuses when the kill switch parameter is missing, naming it', async () => {
    await gd.deps.aws.ssm.send(new DeleteParameterCommand({ Name: gd.deps.env.killSwitchParameter }));
    try {
      await expectRefusal(
        'pf-nokill',
        azOutage,
        /kill switch parameter \/faultline\/dev\/kill-switch does not exist: treated as on/,
      );
    } finally {
      await setKillSwitch('off');
    }
  });

  it('refuses a hypothesis that names an unknown alarm', async () => {
    const spec = { ...azOutage, hypothesis: { ...azOutage.hypothesis, alarms: ['checkout-5xx-rat'] } };
    await expectRefusal(
      'pf-alarm',
      spec,
      /hypothesis\.alarms\[0\]: no CloudWatch alarm named 'checkout-5xx-rat'/,
    );
  });

  it('refuses outside the allowed windows', async () => {
    const spec = {
      ...azOutage,
      guardrails: {
        ...azOutage.guardrails,
        windows: [{ days: ['tue' as const], from: '10:00', to: '12:00' }],
      },
    };
    await expectRefusal(
      'pf-window',
      spec,
      /guardrails\.windows: mon 09:\d\d UTC is outside every allowed window/,
    );
  });

  it('refuses a blast radius over the guardrail', async () => {
    const spec = { ...azOutage, guardrails: { ...azOutage.guardrails, maxBlastRadiusPercent: 20 } };
    const result = await expectRefusal(
      'pf-blast',
      spec,
      /guardrails\.maxBlastRadiusPercent: the fault would hit 2 of 6 running checkout instances \(33\.3%\), over the 20% allowed/,
    );
    expect(result.blastRadius.percent).toBe(33.3);
  });

  it('refuses while another experiment runs on the service', async () => {
    const fis = gd.deps.aws.fis;
    const template = await fis.send(
      new CreateExperimentTemplateCommand({
        clientToken: 'pf-busy',
        description: 'someone else',
        roleArn: gd.deps.env.fisRoleArn,
        stopConditions: [{ source: 'none' }],
        actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT30M' } } },
      }),
    );
    const other = await fis.send(
      new StartExperimentCommand({
        clientToken: 'pf-busy',
        experimentTemplateId: template.experimentTemplate!.id!,
        tags: { 'faultline:service': 'checkout', 'faultline:gameday': 'someone-else' },
      }),
    );
    try {
      await expectRefusal(
        'pf-busy',
        azOutage,
        new RegExp(
          `another experiment is running on checkout: ${other.experiment!.id} \\(\\w+, game day someone-else\\)`,
        ),
      );
    } finally {
      await fis.send(new StopExperimentCommand({ id: other.experiment!.id! }));
    }
  });
});
