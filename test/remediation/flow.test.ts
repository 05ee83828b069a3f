import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { guardLimits } from '../../src/remediation/guard.ts';
import { droppedEventsIncidentId } from '../../src/remediation/ids.ts';
import { runbookSchema } from '../../src/runbooks/schema.ts';
import { alarmEvent } from '../runbooks/events.ts';
import {
  automationExecutions,
  deps,
  heldInAlarm,
  kindsOf,
  nextEvent,
  remediate,
  remediationRules,
  runbooksOnly,
  runbooksWith,
  shippedRunbook,
  timeline,
  unhealthyHostsAlarm,
} from './flow-stack.ts';

/**
 * The remediation state machine as deployed from serverless.yml into a sandbox, started through
 * the Step Functions API with the events EventBridge would deliver, on virtual time played as fast
 * as possible (its Wait states run on the process's timers, which only `fast` puts on the clock).
 */
let stack: LocalStack | undefined;
const savedRunbooks = process.env.FAULTLINE_RUNBOOKS;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
  process.env.FAULTLINE_RUNBOOKS = savedRunbooks;
});

/**
 * The project deployed in a sandbox, with the EventBridge rules that start remediation on live
 * alarms disabled: these tests hand the flow its events themselves, one execution at a time.
 */
async function start(): Promise<LocalStack> {
  stack = await startLocal({ seed: 3, start: DEFAULT_EPOCH, time: 'fast' });
  await remediationRules(false);
  return stack;
}

/** A copy of a shipped runbook under another name, so its limits and breaker are its own. */
function variant(name: string, change: Record<string, unknown>) {
  return {
    name,
    description: `test variant ${name}`,
    match: { alarm: { name: 'checkout-replica-lag' } },
    action: {
      automation: {
        document: 'Faultline-ScaleOut',
        parameters: { AutoScalingGroupName: 'checkout-asg', Count: '1' },
      },
    },
    verify: { within: 'PT5M', alarms: ['{{alarm.name}}'] },
    limits: { breaker: { failures: 1, window: 'PT1H', halfOpenAfter: 'PT30M' } },
    ...change,
  };
}

const replicaLag = (id: string) =>
  alarmEvent({
    id,
    name: 'checkout-replica-lag',
    namespace: 'AWS/RDS',
    metric: 'AuroraReplicaLag',
    dimensions: { DBClusterIdentifier: 'checkout-db' },
  });

describe('the remediation state machine', () => {
  it('acts on a real alarm, waits for the automation, verifies the alarm is OK and resolves, all on the timeline', async () => {
    const s = await start();
    const event = await unhealthyHostsAlarm(s);
    const run = await remediate(s, event, 'rem-unhealthy-1');

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(
      expect.arrayContaining([
        'Triage',
        'AttachIncident',
        'Guard',
        'Act',
        'WaitForAction',
        'CheckAction',
        'Verify',
        'Resolve',
        'Resolved',
      ]),
    );
    expect(run.states).not.toContain('RequestApproval');
    const executions = await automationExecutions();
    expect(executions.map((e) => [e.DocumentName, e.AutomationExecutionStatus])).toEqual([
      ['Faultline-RestartUnhealthyTargets', 'Success'],
    ]);

    const incidentId = run.output!.incident!.incidentId;
    expect(incidentId).toMatch(/^remediation-checkout-unhealthy-hosts-ALARM-/);
    const incident = await deps(s).store.getIncident(incidentId);
    expect(incident.status).toBe('resolved');
    const events = await timeline(s, incidentId);
    const kinds = kindsOf(events, 'rem-unhealthy-1');
    expect(kinds).toEqual(
      expect.arrayContaining([
        'remediation.triage',
        'remediation.attached',
        'remediation.guard',
        'remediation.action',
        'ssm.automation',
        'remediation.verify',
        'remediation.resolved',
      ]),
    );
    // In the order it happened: the alarm, acted, the automation finished, verified, resolved.
    const at = (kind: string) => Date.parse(events.find((e) => e.kind === kind)!.occurredAt);
    const alarmAt = Date.parse(String((event.detail as { state: { timestamp: string } }).state.timestamp));
    const times = [alarmAt, ...['remediation.action', 'remediation.verify', 'remediation.resolved'].map(at)];
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The action starts within seconds of the alarm, not a polling interval later.
    expect(times[1]! - alarmAt).toBeLessThan(10_000);
    const ssmStatuses = events.filter((e) => e.kind === 'ssm.automation').map((e) => e.detail.status);
    expect(ssmStatuses.at(-1)).toBe('Success');
    expect(events.find((e) => e.kind === 'remediation.verify')?.detail.verified).toBe(true);
  });

  it('acts once for a duplicate delivery: the same event twice starts one SSM execution', async () => {
    const s = await start();
    const event = await unhealthyHostsAlarm(s);
    const [a, b] = await Promise.all([remediate(s, event, 'rem-dup-a'), remediate(s, event, 'rem-dup-b')]);

    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await automationExecutions()).toHaveLength(1);
    const verdicts = [a, b].map((r) => r.output!.guard!.verdict).sort();
    expect(verdicts).toEqual(['duplicate', 'proceed']);
    const duplicate = [a, b].find((r) => r.output!.guard!.verdict === 'duplicate')!;
    expect(duplicate.states.at(-1)).toBe('Duplicate');
    expect(duplicate.states).not.toContain('Act');
  });

  it('does nothing while the kill switch is on: held back, recorded and a person notified', async () => {
    const s = await start();
    await client('ssm').send(
      new PutParameterCommand({
        Name: process.env.FAULTLINE_KILL_SWITCH_PARAMETER!,
        Value: 'on',
        Overwrite: true,
      }),
    );
    await heldInAlarm('checkout-unhealthy-hosts');
    const published = nextEvent(s, (e) => e['detail-type'] === 'SNS Message Published');
    const run = await remediate(s, alarmEvent({ id: 'kill-switch-event' }), 'rem-kill');

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output!.guard).toMatchObject({ verdict: 'kill-switch' });
    expect(run.states).toContain('NotifyHeldBack');
    expect(run.states).not.toContain('Act');
    expect(await automationExecutions()).toEqual([]);
    expect(String((await published).detail.Subject ?? (await published).detail.subject)).toMatch(/held back/);
    const events = await timeline(s, run.output!.incident!.incidentId);
    expect(events.find((e) => e.kind === 'remediation.guard')?.detail.verdict).toBe('kill-switch');
  });

  it('holds back when the runbook’s circuit breaker is open and tells a person', async () => {
    const s = await start();
    const rb = variant('lag-breaker', {});
    process.env.FAULTLINE_RUNBOOKS = runbooksWith([rb]);
    const d = deps(s);
    await d.guard.breaker.record(
      'lag-breaker',
      'an-earlier-remediation',
      false,
      guardLimits(runbookSchema.parse(rb).limits).breaker,
    );
    expect((await d.guard.breaker.state('lag-breaker')).state).toBe('open');
    await heldInAlarm('checkout-replica-lag');

    const run = await remediate(s, replicaLag('breaker-event'), 'rem-breaker');

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output!.guard!.verdict).toBe('held-back');
    expect(run.output!.guard!.reason).toMatch(/circuit breaker of lag-breaker is open/);
    expect(await automationExecutions()).toEqual([]);
    const events = await timeline(s, run.output!.incident!.incidentId);
    expect(events.filter((e) => e.kind === 'notification.sent').map((e) => e.detail.purpose)).toEqual([
      'held-back',
    ]);
  });

  it('records a malformed or unexpected event and succeeds without acting', async () => {
    const s = await start();
    const bad = await remediate(s, { hello: 'world' }, 'rem-malformed');
    const unknown = await remediate(
      s,
      alarmEvent({ id: 'unknown-alarm', name: 'nobody-knows-me' }),
      'rem-unknown',
    );

    expect([bad.status, unknown.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(bad.states.at(-1)).toBe('NotRemediated');
    expect(await automationExecutions()).toEqual([]);
    const dropped = await timeline(s, droppedEventsIncidentId(s.clock.date()));
    const reasons = Object.fromEntries(dropped.map((e) => [e.detail.remediationId, String(e.detail.reason)]));
    expect(reasons['rem-malformed']).toMatch(/not an EventBridge event: id is missing/);
    expect(reasons['rem-unknown']).toMatch(/no runbook for alarm 'nobody-knows-me'/);
  });

  it('drops a forged event that names a real alarm CloudWatch shows OK: recorded, nothing started, nobody asked', async () => {
    const s = await start();
    // A well-formed ALARM event for a real alarm, its metric details broken, while the alarm is OK.
    const forged = alarmEvent({ id: 'forged-event', name: 'checkout-5xx-rate' });
    forged.detail.configuration.metrics[0]!.metricStat.metric.name = 'NoSuchMetric';
    process.env.FAULTLINE_RUNBOOKS = runbooksOnly([
      {
        ...shippedRunbook('az-capacity'),
        match: { alarm: { name: 'checkout-5xx-rate' } },
      },
    ]);
    const run = await remediate(s, forged, 'rem-forged');

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.at(-1)).toBe('NotRemediated');
    expect(run.states).not.toContain('AttachIncident');
    expect(await automationExecutions()).toEqual([]);
    const dropped = await timeline(s, droppedEventsIncidentId(s.clock.date()));
    const reason = String(dropped.find((e) => e.detail.remediationId === 'rem-forged')?.detail.reason);
    expect(reason).toBe(
      'not confirmed, so not acted on: CloudWatch shows alarm checkout-5xx-rate in OK, not ALARM (the event may be forged, or stale)',
    );
  });

  it('a failing action goes to RecordFailure: recorded, notified, counted by the breaker, the execution fails', async () => {
    const s = await start();
    process.env.FAULTLINE_RUNBOOKS = runbooksWith([
      variant('lag-broken', {
        action: { automation: { document: 'Faultline-NoSuchDocument', parameters: {} } },
      }),
    ]);
    await heldInAlarm('checkout-replica-lag');
    const run = await remediate(s, replicaLag('failing-event'), 'rem-failing');

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RemediationFailed');
    expect(run.states).toEqual(expect.arrayContaining(['Act', 'RecordFailure', 'Failed']));
    // One failure opens a breaker that opens after one.
    expect((await deps(s).guard.breaker.state('lag-broken')).state).toBe('open');
    const events = await timeline(
      s,
      run.output?.incident?.incidentId ?? (await incidentOf(s, 'rem-failing')),
    );
    const failed = events.find((e) => e.kind === 'remediation.failed');
    expect(failed?.detail.error).toBe('AutomationDefinitionNotFoundException');
    expect(events.some((e) => e.kind === 'notification.sent' && e.detail.purpose === 'failed')).toBe(true);
  });

  describe('a runbook that requires approval (DNS failover of the primary region)', () => {
    const primaryHealth = () =>
      alarmEvent({
        id: 'primary-health-event',
        name: 'checkout-primary-health',
        namespace: 'AWS/Route53',
        metric: 'HealthCheckStatus',
        dimensions: {},
      });

    /** Starts the remediation and answers its approval request as `faultline approve|reject` would. */
    async function answered(s: LocalStack, name: string, answer: (token: string) => Promise<unknown>) {
      const requested = nextEvent(
        s,
        (e) =>
          e['detail-type'] === 'SNS Message Published' && /needs approval/.test(JSON.stringify(e.detail)),
      );
      await heldInAlarm('checkout-primary-health');
      const run = remediate(s, primaryHealth(), name);
      await requested;
      const incidentId = await incidentOf(s, name);
      const request = (await timeline(s, incidentId)).find(
        (e) => e.kind === 'remediation.approval' && e.detail.status === 'requested',
      );
      await answer(String(request!.detail.taskToken));
      return { run: await run, incidentId };
    }

    it('approved: promotes the standby database, fails DNS over, waits until done, verifies and resolves', async () => {
      const s = await start();
      const { run, incidentId } = await answered(s, 'rem-approved', (taskToken) =>
        client('sfn').send(
          new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approvedBy: 'test' }) }),
        ),
      );
      expect(run.status).toBe('SUCCEEDED');
      expect(run.states).toEqual(
        expect.arrayContaining(['RequestApproval', 'Act', 'CheckAction', 'Verify', 'Resolved']),
      );
      const kinds = (await timeline(s, incidentId)).map(
        (e) => `${e.kind}${e.kind === 'ssm.automation' ? `:${e.detail.document}:${e.detail.status}` : ''}`,
      );
      expect(kinds).toEqual(
        expect.arrayContaining([
          'remediation.approval',
          'remediation.action',
          'ssm.automation:Faultline-RegionFailover:Success',
          'remediation.resolved',
        ]),
      );
      expect(s.sandbox.world.dnsActiveRegion()).toBe(s.sandbox.world.def.standby!.region);
      expect(s.sandbox.world.standby!.database()!.status).toBe('primary');
    });

    it('rejected: nothing done, recorded and a person told', async () => {
      const s = await start();
      const { run, incidentId } = await answered(s, 'rem-rejected', (taskToken) =>
        client('sfn').send(
          new SendTaskFailureCommand({ taskToken, error: 'ApprovalRejected', cause: 'not during the sale' }),
        ),
      );
      expect(run.status).toBe('SUCCEEDED');
      expect(run.states.at(-1)).toBe('Rejected');
      expect(run.states).not.toContain('Act');
      const events = await timeline(s, incidentId);
      expect(
        events.find((e) => e.kind === 'remediation.approval' && e.detail.status === 'rejected')?.detail
          .reason,
      ).toBe('not during the sale');
      expect(events.filter((e) => e.kind === 'notification.sent').map((e) => e.detail.purpose)).toEqual([
        'approval-requested',
        'rejected',
      ]);
      expect(s.sandbox.world.dnsActiveRegion()).toBe(s.sandbox.world.region);
      expect(s.sandbox.world.standby!.database()!.status).toBe('secondary');
    });

    it('approved after the alarm recovered: refuses to act, says why, tells a person', async () => {
      const s = await start();
      const { run, incidentId } = await answered(s, 'rem-late', async (taskToken) => {
        // The primary came back while the person was deciding.
        await client('cloudwatch').send(
          new SetAlarmStateCommand({
            AlarmName: 'checkout-primary-health',
            StateValue: 'OK',
            StateReason: 'back',
          }),
        );
        await client('sfn').send(
          new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approvedBy: 'test' }) }),
        );
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.output!.action).toEqual({
        outcome: 'refused',
        reason: 'no longer confirmed: CloudWatch shows alarm checkout-primary-health in OK, not ALARM',
      });
      expect(run.states).toContain('NotifyHeldBack');
      expect(run.states).not.toContain('CheckAction');
      const events = await timeline(s, incidentId);
      expect(events.filter((e) => e.kind === 'notification.sent').map((e) => e.detail.purpose)).toEqual([
        'approval-requested',
        'held-back',
      ]);
      expect(s.sandbox.world.dnsActiveRegion()).toBe(s.sandbox.world.region);
    });

    /** Minutes from the approval's request to its timing out, on the remediation's timeline. */
    async function unansweredFor(s: LocalStack, name: string): Promise<number> {
      await heldInAlarm('checkout-primary-health');
      const run = await remediate(s, primaryHealth(), name);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.states.at(-1)).toBe('Rejected');
      const events = await timeline(s, run.output!.incident!.incidentId);
      const at = (status: string) =>
        Date.parse(
          events.find((e) => e.kind === 'remediation.approval' && e.detail.status === status)!.occurredAt,
        );
      expect(s.sandbox.world.dnsActiveRegion()).toBe(s.sandbox.world.region);
      return (at('timed-out') - at('requested')) / 60_000;
    }

    it('unanswered: the approval times out after 15 minutes, which is a rejection', async () => {
      const s = await start();
      expect(await unansweredFor(s, 'rem-unanswered')).toBe(15);
    });

    it('waits as long as the runbook says (approval.timeout), not a fixed time', async () => {
      const s = await start();
      process.env.FAULTLINE_RUNBOOKS = runbooksOnly([
        { ...shippedRunbook('primary-region-failover'), approval: { required: true, timeout: 'PT5M' } },
      ]);
      expect(await unansweredFor(s, 'rem-unanswered-5m')).toBe(5);
    });
  });
});

/** A failed execution has no output: its incident is the one its timeline events are on. */
async function incidentOf(s: LocalStack, remediationId: string): Promise<string> {
  const { incidents } = await deps(s).store.listIncidents();
  for (const i of incidents) {
    if ((await timeline(s, i.incidentId)).some((e) => e.detail.remediationId === remediationId))
      return i.incidentId;
  }
  throw new Error(`no timeline has ${remediationId}`);
}
