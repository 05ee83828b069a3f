import { DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnsService } from '../../sandbox/services/sns.ts';
import { ensureTemplateStep } from '../../src/gameday/ensure-template.ts';
import { notify } from '../../src/gameday/notify.ts';
import { observe } from '../../src/gameday/observe.ts';
import { openIncident } from '../../src/gameday/open-incident.ts';
import { preflight } from '../../src/gameday/preflight.ts';
import { renderReportStep } from '../../src/gameday/render-report.ts';
import { startExperiment } from '../../src/gameday/start-experiment.ts';
import type { GameDayState } from '../../src/gameday/state.ts';
import { stopExperiment } from '../../src/gameday/stop-experiment.ts';
import { verifyRecovery } from '../../src/gameday/verify-recovery.ts';
import { watchedAlarms } from '../../src/gameday/watch.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import {
  experimentFile,
  type GameDayStack,
  gameDay,
  MINUTE,
  startGameDayStack,
  withResult,
} from './stack.ts';

let gd: GameDayStack;
let state: GameDayState;
let events: TimelineEvent[];
const ID = 'az-outage-1';

beforeAll(async () => {
  gd = await startGameDayStack(3);
  await gd.stack.clock.advance(5 * MINUTE);
});
afterAll(() => gd?.close());

const ofKind = (kind: string) => events.filter((e) => e.kind === kind);

describe('an AZ outage, step by step', () => {
  it('runs preflight, template and start', async () => {
    state = gameDay(ID, await experimentFile('az-outage'));
    state = withResult(state, 'incident', await openIncident(state, gd.deps));
    state = withResult(state, 'preflight', await preflight(state, gd.deps));
    expect(state.preflight?.reasons).toEqual([]);
    state = withResult(state, 'template', await ensureTemplateStep(state, gd.deps));
    state = withResult(state, 'experimentRun', await startExperiment(state, gd.deps));
  });

  it('observes every minute until the experiment ends, recording each fact once even when a minute is observed twice', async () => {
    for (let minute = 1; minute <= 20; minute++) {
      await gd.stack.clock.advance(MINUTE);
      const first = await observe(state, gd.deps);
      // The state machine retries a step with the same input: the same facts, nothing stored twice.
      const retried = await observe(state, gd.deps);
      expect(retried).toEqual(first);
      state = withResult(state, 'observation', first);
      if (first.stopRequired && !state.stop)
        state = withResult(state, 'stop', await stopExperiment(state, gd.deps));
      if (first.experimentTerminal) break;
    }
    expect(state.observation?.experimentTerminal).toBe(true);
    events = await gd.deps.store.all(ID);

    const history = await gd.deps.aws.cloudwatch.send(
      new DescribeAlarmHistoryCommand({
        HistoryItemType: 'StateUpdate',
        StartDate: new Date(state.incident!.openedAt),
        EndDate: new Date(state.observation!.at),
        ScanBy: 'TimestampAscending',
      }),
    );
    const watched = new Set(watchedAlarms(state.experiment));
    const transitions = (history.AlarmHistoryItems ?? [])
      .filter((h) => watched.has(h.AlarmName!))
      .map((h) => `alarm:${h.AlarmName}:${h.Timestamp!.toISOString()}`);
    expect(transitions.length).toBeGreaterThan(0);
    expect(ofKind('alarm.state').map((e) => e.eventId)).toEqual(transitions);
    expect(ofKind('alarm.state')).toContainEqual(
      expect.objectContaining({
        detail: expect.objectContaining({ alarm: 'checkout-unhealthy-hosts', to: 'ALARM' }),
      }),
    );
  });

  it('records one metrics sample per minute, without gaps, showing the lost AZ', () => {
    const samples = ofKind('metrics.sample');
    const minutes = samples.map((e) => Date.parse(e.occurredAt));
    expect(minutes.length).toBeGreaterThan(8);
    minutes.forEach((m, i) => {
      if (i > 0) expect(m - minutes[i - 1]!).toBe(MINUTE);
    });
    expect(samples[0]!.detail).toMatchObject({
      requestRate: expect.any(Number),
      healthyHostsByAz: { 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 },
    });
    expect(
      samples.some((e) => (e.detail.healthyHostsByAz as Record<string, number>)['us-east-1a'] === 0),
    ).toBe(true);
  });

  it('records the experiment, its actions and the resources its targets resolved to', () => {
    const id = state.experimentRun!.experimentId;
    expect(ofKind('fis.experiment').map((e) => e.detail.status)).toEqual(
      expect.arrayContaining(['running', state.observation!.experimentStatus]),
    );
    expect(ofKind('fis.action').map((e) => `${e.detail.action}:${e.detail.status}`)).toEqual(
      expect.arrayContaining(['power-off-instances:running', 'power-off-instances:completed']),
    );
    const targets = Object.fromEntries(
      ofKind('fis.targets').map((e) => [e.detail.target, e.detail.resources]),
    );
    expect(Object.keys(targets).sort()).toEqual([
      'az-instances',
      'az-subnets',
      'az-tasks',
      'database',
      'group',
      'load-balancer',
      'session-cache',
    ]);
    expect(targets['az-instances']).toHaveLength(2);
    expect(targets['az-tasks']).toHaveLength(2);
    expect(ofKind('fis.targets').every((e) => e.eventId.startsWith(`fis:targets:${id}:`))).toBe(true);
  });

  it('verifies recovery every minute until the steady state is back or the RTO has run out', async () => {
    for (let i = 0; i < 30; i++) {
      await gd.stack.clock.advance(MINUTE);
      state = withResult(state, 'recovery', await verifyRecovery(state, gd.deps));
      if (state.recovery!.done) break;
    }
    const recovery = state.recovery!;
    expect(recovery.done).toBe(true);
    expect(recovery.faultEndedAt).toBeDefined();
    expect(Date.parse(recovery.deadline) - Date.parse(recovery.faultEndedAt!)).toBe(15 * MINUTE);
    expect(recovery.recovered).toBe(recovery.checks.every((c) => c.ok));
    events = await gd.deps.store.all(ID);
    expect(ofKind('gameday.recovery').map((e) => e.detail.recovered)).toEqual([recovery.recovered]);
    expect((await gd.deps.store.getIncident(ID)).status).toBe(recovery.recovered ? 'resolved' : 'open');
  });

  it('then records every minute up to the end of the verification, as CloudWatch publishes them, and nothing after', async () => {
    const end = Date.parse(state.recovery!.endedAt!);
    const lastMinute = Math.floor((end - 1) / MINUTE) * MINUTE;
    for (let i = 0; i < 12 && !state.recovery!.minutesComplete; i++) {
      await gd.stack.clock.advance(30_000);
      state = withResult(state, 'recovery', await verifyRecovery(state, gd.deps));
    }
    expect(state.recovery!.minutesComplete).toBe(true);
    expect(state.recovery!.done).toBe(true);
    // Two minutes more pass: the minutes after the end stay off the timeline.
    await gd.stack.clock.advance(2 * MINUTE);
    state = withResult(state, 'recovery', await verifyRecovery(state, gd.deps));
    events = await gd.deps.store.all(ID);
    const minutes = ofKind('metrics.sample').map((e) => Date.parse(e.occurredAt));
    expect(Math.max(...minutes)).toBe(lastMinute);
    expect(ofKind('gameday.recovery')).toHaveLength(1);
    expect(ofKind('gameday.step').some((e) => e.detail.step === 'LastMinutes')).toBe(true);
  });

  it('writes the report in three forms and keeps the verdict on the incident', async () => {
    const report = await renderReportStep(state, gd.deps);
    expect(report.reports).toEqual({
      markdown: `s3://${gd.deps.env.reportBucket}/reports/${ID}/report.md`,
      html: `s3://${gd.deps.env.reportBucket}/reports/${ID}/report.html`,
      json: `s3://${gd.deps.env.reportBucket}/reports/${ID}/report.json`,
    });
    const html = await gd.deps.aws.s3.send(
      new GetObjectCommand({ Bucket: gd.deps.env.reportBucket, Key: `reports/${ID}/report.html` }),
    );
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect(await html.Body!.transformToString()).toMatch(/<html/i);
    expect((await gd.deps.store.getIncident(ID)).attributes.verdict).toEqual(report.verdict);
    expect(report.verdict).toMatchObject({ experiment: { id: state.experimentRun!.experimentId } });
  });

  it('notifies the topic once, with the verdict and where the report is, even when retried', async () => {
    state = withResult(state, 'report', await renderReportStep(state, gd.deps));
    const sns = gd.stack.sandbox.services.find((x) => x.signingName === 'sns') as SnsService;
    const before = sns.messages(gd.deps.env.topicArn).length;
    const sent = await notify(state, gd.deps);
    expect(sent.subject).toBe('[faultline] game day az-outage on checkout: recovered within RTO');
    const again = await notify(state, gd.deps);
    expect(again).toEqual({ ...sent, alreadySent: true });
    const published = sns.messages(gd.deps.env.topicArn).slice(before);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ messageId: sent.messageId, subject: sent.subject });
    expect(published[0]!.message).toContain(
      `markdown: s3://${gd.deps.env.reportBucket}/reports/${ID}/report.md`,
    );
    const recorded = (await gd.deps.store.all(ID)).filter((e) => e.kind === 'notification.sent');
    expect(recorded.map((e) => e.eventId)).toEqual([`notification:${sent.messageId}`]);
  });
});
