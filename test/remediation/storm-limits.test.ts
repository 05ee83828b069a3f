import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { alarmEvent } from '../runbooks/events.ts';
import { Endings, entryOf, eventBridgeStacks, eventsByRemediation, putAll } from './event-bus.ts';
import { automationExecutions, heldInAlarm, remediationRules, runbooksWith } from './flow-stack.ts';

/**
 * A remediation storm, the failure this project exists to never be: a thousand alarm events for
 * fifty hosts within one virtual minute, through EventBridge and the deployed state machine. The
 * rate limits and claims in DynamoDB must hold under that concurrency.
 */
const { start, events } = eventBridgeStacks();

describe('a remediation storm through EventBridge', () => {
  it('1,000 alarm events for 50 resources in one minute: actions within the limits, every event on a timeline', async () => {
    const s = await start();
    const limits = { perRunbook: 4, perResource: 1 };
    process.env.FAULTLINE_RUNBOOKS = runbooksWith([
      {
        name: 'stress-hosts',
        description: 'a host alarm that fires for many hosts at once',
        match: { alarm: { name: 'stress-host-*' } },
        action: {
          automation: {
            document: 'Faultline-ScaleOut',
            parameters: { AutoScalingGroupName: 'checkout-asg', Count: '1' },
          },
        },
        verify: { within: 'PT5M', healthChecks: ['checkout-primary'] },
        limits: {
          resource: '{{alarm.dimensions.Host}}',
          cooldown: 'PT10M',
          perResource: { max: limits.perResource, window: 'PT1H' },
          perRunbook: { max: limits.perRunbook, window: 'PT1H' },
          breaker: { failures: 3, window: 'PT1H', halfOpenAfter: 'PT30M' },
        },
      },
    ]);
    // Fifty real alarms in ALARM: a remediation confirms what an event says before acting. Their
    // own transitions are not part of the storm: the rules are off while they are made.
    await remediationRules(false);
    for (let host = 0; host < 50; host++) await heldInAlarm(`stress-host-${host}`);
    await remediationRules(true);
    // Each host flaps five times within the minute, and each transition is delivered four times.
    const minute = Math.floor(s.clock.now() / 60_000) * 60_000;
    const entries: PutEventsRequestEntry[] = [];
    for (let host = 0; host < 50; host++) {
      for (let flap = 0; flap < 5; flap++) {
        const at = new Date(minute + host * 1000 + flap * 100).toISOString().replace('Z', '+0000');
        const event = alarmEvent({
          name: `stress-host-${host}`,
          timestamp: at,
          namespace: 'Faultline/Stress',
          metric: 'HostErrors',
          dimensions: { Host: `host-${host}` },
        });
        for (let copy = 0; copy < 4; copy++) entries.push(entryOf(event));
      }
    }
    expect(entries).toHaveLength(1000);
    const endings = new Endings(s);
    const runs = await endings.of(await putAll(events(), entries));

    expect(runs.filter((r) => r.status !== 'SUCCEEDED')).toEqual([]);
    const started = await automationExecutions();
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThanOrEqual(limits.perRunbook);

    const byRemediation = await eventsByRemediation(s);
    const missing = runs.filter((r) => !byRemediation.has(r.name));
    expect(missing).toEqual([]);
    const verdictOf = (name: string) =>
      byRemediation.get(name)!.find((e) => e.kind === 'remediation.guard')?.detail.verdict;
    const verdicts = runs.map((r) => verdictOf(r.name));
    // 250 transitions: one claim each; the 750 other deliveries are duplicates.
    expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(750);
    const acted = runs.filter((r) =>
      byRemediation
        .get(r.name)!
        .some((e) => e.kind === 'remediation.action' && e.detail.outcome === 'started'),
    );
    expect(acted).toHaveLength(started.length);
    // Never twice on one host within its window.
    const hosts = acted.map((r) => byRemediation.get(r.name)![0]!.incidentId.replace(/-ALARM-.*/, ''));
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(verdicts.filter((v) => v === 'held-back')).toHaveLength(250 - acted.length);
  }, 300_000);
});
