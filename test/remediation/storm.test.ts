import { describe, expect, it } from 'vitest';
import { droppedEventsIncidentId } from '../../src/remediation/ids.ts';
import { alarmEvent, experimentEvent } from '../runbooks/events.ts';
import { Endings, entryOf, eventBridgeStacks, eventsByRemediation, putAll } from './event-bus.ts';
import { automationExecutions, deps, unhealthyHostsAlarm } from './flow-stack.ts';

/**
 * Remediation as it runs in production: events go through EventBridge (PutEvents, the rules
 * serverless.yml declares, their Step Functions target), many at once, on virtual time played as
 * fast as possible. Safety is what must hold: one action per alarm transition, every event
 * accounted for, nothing failing in a loop. (The 1,000-event storm has its own file: its own process.)
 */
const { start, events } = eventBridgeStacks();

describe('remediation through EventBridge', () => {
  it('100 copies of an alarm event sent at once start exactly one SSM execution', async () => {
    const s = await start();
    // The real transition first: CloudWatch publishes it and the rule starts one remediation.
    const real = await unhealthyHostsAlarm(s);

    // Then 100 more deliveries of the same transition, as an at-least-once bus (or a user) might.
    const endings = new Endings(s);
    const copies = await putAll(
      events(),
      Array.from({ length: 100 }, () => entryOf(real)),
    );
    const runs = await endings.of([real.id, ...copies]);

    expect(runs.filter((r) => r.status !== 'SUCCEEDED')).toEqual([]);
    const executions = await automationExecutions();
    expect(executions.map((e) => [e.DocumentName, e.AutomationExecutionStatus])).toEqual([
      ['Faultline-RestartUnhealthyTargets', 'Success'],
    ]);

    // One remediation acted; each of the 100 others is on the incident's timeline as a duplicate.
    const byRemediation = await eventsByRemediation(s);
    const verdicts = runs.map(
      (r) => byRemediation.get(r.name)?.find((e) => e.kind === 'remediation.guard')?.detail.verdict,
    );
    expect(verdicts.filter((v) => v === 'proceed')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(100);
    const incidents = new Set(runs.map((r) => byRemediation.get(r.name)?.[0]?.incidentId));
    expect(incidents.size).toBe(1);
  });

  it('records malformed and unexpected events and drops them without failing', async () => {
    const s = await start();
    const good = alarmEvent({ name: 'checkout-unhealthy-hosts' });
    // Each of these matches a rule's pattern, so EventBridge delivers it to the state machine.
    const malformed = [
      // An alarm state change without the alarm's name.
      { ...good, detail: { state: good.detail.state, configuration: good.detail.configuration } },
      // An FIS state change with nothing in it.
      { ...experimentEvent('running'), detail: {} },
      // An alarm no runbook is for.
      alarmEvent({
        name: 'billing-queue-depth',
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
      }),
    ];
    const endings = new Endings(s);
    const sent = await putAll(events(), malformed.map(entryOf));
    // Wrong detail-type: no rule matches, so EventBridge delivers it nowhere (nothing to record).
    await putAll(events(), [{ ...entryOf(good), DetailType: 'CloudWatch Alarm Configuration Change' }]);
    const runs = await endings.of(sent);

    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(await automationExecutions()).toEqual([]);
    const dropped = await deps(s).store.all(droppedEventsIncidentId(s.clock.date()));
    const ours = new Set(runs.map((r) => r.name));
    const reasons = dropped
      .filter((e) => e.kind === 'remediation.triage' && ours.has(String(e.detail.remediationId)))
      .map((e) => String(e.detail.reason))
      .sort();
    expect(reasons, reasons.join('\n')).toHaveLength(3);
    expect(reasons.join('\n')).toMatch(/detail\.alarmName is missing/);
    expect(reasons.join('\n')).toMatch(/detail\.experiment-id is missing/);
    expect(reasons.join('\n')).toMatch(/no runbook for alarm 'billing-queue-depth'/);
  });
});
