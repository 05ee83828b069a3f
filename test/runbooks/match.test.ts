import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { globMatches } from '../../src/runbooks/glob.ts';
import { loadRunbooks } from '../../src/runbooks/load.ts';
import { matchRunbook } from '../../src/runbooks/match.ts';
import { type Runbook, runbookSchema } from '../../src/runbooks/schema.ts';
import { alarmEvent, experimentEvent } from './events.ts';

const RUNBOOKS = fileURLToPath(new URL('../../runbooks/', import.meta.url));

describe('matching an event to a runbook', () => {
  let shipped: Runbook[];
  beforeAll(async () => {
    shipped = await loadRunbooks(RUNBOOKS);
  });

  it('sends the unhealthy-host alarm to a restart of its target group, keyed by event and transition', () => {
    const m = matchRunbook(alarmEvent(), shipped);
    expect(m.matched).toBe(true);
    if (!m.matched) return;
    expect(m.runbook.name).toBe('unhealthy-hosts');
    expect(m.action).toEqual({
      kind: 'automation',
      document: 'Faultline-RestartUnhealthyTargets',
      parameters: { TargetGroup: ['targetgroup/checkout-tg/73e2d6bc24d8a067'] },
    });
    expect(m.resource).toBe('targetgroup/checkout-tg/73e2d6bc24d8a067');
    expect(m.verify).toEqual({ withinMs: 600_000, alarms: ['checkout-unhealthy-hosts'], healthChecks: [] });
    expect(m.dedupeKeys).toEqual([
      'alarm#123456789012#us-east-1#checkout-unhealthy-hosts#ALARM#2026-01-05T09:07:00.000+0000',
      'event#00000000-0000-4000-8000-000000000001',
    ]);
  });

  it('sends the service running hot to a scale-out by an AZ, and the primary health check to an approved failover', () => {
    const hot = matchRunbook(
      alarmEvent({ name: 'checkout-5xx-rate', namespace: 'Faultline/Service', metric: 'ErrorRate' }),
      shipped,
    );
    expect(hot.matched && hot.runbook.name).toBe('az-capacity');
    expect(hot.matched && hot.action.kind === 'automation' && hot.action.parameters.Count).toEqual(['2']);
    const dns = matchRunbook(
      alarmEvent({
        name: 'checkout-primary-health',
        namespace: 'AWS/Route53',
        metric: 'HealthCheckStatus',
        dimensions: { HealthCheckId: 'fd3ac149' },
      }),
      shipped,
    );
    expect(dns.matched && dns.runbook.name).toBe('primary-region-failover');
    expect(dns.matched && dns.runbook.approval.required).toBe(true);
    expect(dns.matched && dns.action).toMatchObject({
      kind: 'automation',
      document: 'Faultline-RegionFailover',
      parameters: { RecordName: ['checkout.example.com.'] },
    });
  });

  it('fills parameters and the resource from the alarm, or says which value the event lacks', () => {
    const restart = runbookSchema.parse({
      name: 'restart',
      description: 'd',
      match: { alarm: { name: 'status-*' } },
      action: {
        automation: {
          document: 'AWS-RestartEC2Instance',
          parameters: { InstanceId: '{{alarm.dimensions.InstanceId}}' },
        },
      },
      verify: { within: 'PT5M', alarms: ['{{alarm.name}}'] },
      limits: { resource: 'instance/{{alarm.dimensions.InstanceId}}' },
    });
    const m = matchRunbook(alarmEvent({ name: 'status-web', dimensions: { InstanceId: 'i-0abc' } }), [
      restart,
    ]);
    expect(m.matched && m.action).toEqual({
      kind: 'automation',
      document: 'AWS-RestartEC2Instance',
      parameters: { InstanceId: ['i-0abc'] },
    });
    expect(m.matched && m.resource).toBe('instance/i-0abc');
    const none = matchRunbook(alarmEvent({ name: 'status-web', dimensions: {} }), [restart]);
    expect(none).toMatchObject({
      matched: false,
      reason:
        "no runbook for alarm 'status-web': restart: the event has no alarm.dimensions.InstanceId (limits.resource)",
    });
  });

  it('matches on tags only when the caller looked them up', () => {
    const tagged = runbookSchema.parse({
      name: 'tagged',
      description: 'd',
      match: { alarm: { tags: { Team: 'pay*' } } },
      action: { automation: { document: 'Faultline-ScaleOut' } },
      verify: { within: 'PT5M', alarms: ['{{alarm.name}}'] },
    });
    expect(matchRunbook(alarmEvent(), [tagged])).toMatchObject({
      matched: false,
      reason: /tags were not looked up/,
    });
    expect(matchRunbook(alarmEvent(), [tagged], { alarmTags: { Team: 'payments' } }).matched).toBe(true);
    expect(matchRunbook(alarmEvent(), [tagged], { alarmTags: { Team: 'search' } })).toMatchObject({
      reason: /tag Team is search, not pay\*/,
    });
  });

  it('matches FIS experiment state changes by status', () => {
    const onFailure = runbookSchema.parse({
      name: 'experiment-failed',
      description: 'd',
      match: { experiment: { status: ['failed'] } },
      action: {
        automation: { document: 'Faultline-ScaleOut', parameters: { AutoScalingGroupName: 'checkout-asg' } },
      },
      verify: { within: 'PT5M', alarms: ['checkout-5xx-rate'] },
    });
    const m = matchRunbook(experimentEvent('failed'), [onFailure]);
    expect(m.matched && m.resource).toBe('EXP4w2N7rAzEzNo7Bz');
    expect(m.matched && m.dedupeKeys[0]).toBe('experiment#123456789012#us-east-1#EXP4w2N7rAzEzNo7Bz#failed');
    expect(matchRunbook(experimentEvent('completed'), [onFailure])).toMatchObject({
      matched: false,
      reason: /status completed is not failed/,
    });
    expect(matchRunbook(experimentEvent('failed'), shipped)).toMatchObject({
      matched: false,
      reason: /unhealthy-hosts: matches alarms, not FIS experiments/,
    });
  });

  const dropped: [string, unknown, RegExp][] = [
    ['nothing at all', undefined, /not an EventBridge event/],
    ['a string', 'ALARM', /not an EventBridge event/],
    [
      'another detail-type',
      { ...alarmEvent(), 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2' },
      /is 'EC2 Instance State-change Notification' from aws\.ec2; remediation acts on/,
    ],
    [
      'an alarm event without its state',
      { ...alarmEvent(), detail: { alarmName: 'x' } },
      /detail\.state is missing/,
    ],
    [
      'an envelope without an id',
      { ...alarmEvent(), id: undefined },
      /^not an EventBridge event: id is missing/,
    ],
    ['a recovery', alarmEvent({ state: 'OK', previous: 'ALARM' }), /went to OK; only changes to ALARM/],
    ['ALARM to ALARM', alarmEvent({ previous: 'ALARM' }), /already in ALARM/],
    ['an unknown alarm', alarmEvent({ name: 'billing-spike' }), /no runbook for alarm 'billing-spike'/],
  ];

  it.each(dropped)('drops %s with a reason', (_, event, reason) => {
    const m = matchRunbook(event, shipped);
    expect(m.matched).toBe(false);
    expect(!m.matched && m.reason).toMatch(reason);
  });

  it('never throws, whatever arrives (property)', () => {
    const anyEvent = fc.oneof(
      fc.anything(),
      fc.record({ ...mapValues(alarmEvent(), () => fc.anything()) }, { requiredKeys: [] }),
      fc
        .record({ detail: fc.anything(), id: fc.oneof(fc.string(), fc.constant(undefined)) })
        .map((r) => ({ ...alarmEvent(), ...r })),
    );
    fc.assert(
      fc.property(anyEvent, (event) => {
        const m = matchRunbook(event, shipped);
        expect(typeof m.matched).toBe('boolean');
        if (!m.matched) expect(m.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('matches an alarm exactly when its name fits the glob (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9-]{0,8}$/);
    fc.assert(
      fc.property(word, word, word, (prefix, middle, other) => {
        const rb = runbookSchema.parse({
          name: 'glob',
          description: 'd',
          match: { alarm: { name: `${prefix}*` } },
          action: { automation: { document: 'Faultline-ScaleOut' } },
          verify: { within: 'PT5M', alarms: ['{{alarm.name}}'] },
        });
        const name = `${prefix}${middle}`;
        if (name.length === 0) return;
        expect(matchRunbook(alarmEvent({ name }), [rb]).matched).toBe(true);
        const otherName = `${other}x`;
        expect(matchRunbook(alarmEvent({ name: otherName }), [rb]).matched).toBe(
          otherName.startsWith(prefix),
        );
      }),
    );
  });

  it('treats glob metacharacters of regular expressions as literal text (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('.', '+', '(', ')', '|', '^', '$', '[', ']', '\\', 'a') }),
        (s) => {
          expect(globMatches(s, s)).toBe(true);
          if (s.length > 0) expect(globMatches(s, `${s}b`)).toBe(false);
        },
      ),
    );
    expect(globMatches('checkout-{5xx-rate,p99-latency}', 'checkout-p99-latency')).toBe(true);
    expect(globMatches('checkout-{5xx-rate,p99-latency}', 'checkout-unhealthy-hosts')).toBe(false);
    expect(globMatches('i-?bc', 'i-abc')).toBe(true);
  });

  it('keys a transition by alarm, state and time, whatever the event id (property)', () => {
    const id = fc.uuid();
    const at = fc
      .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) })
      .map((ms) => new Date(ms).toISOString().replace('Z', '+0000'));
    fc.assert(
      fc.property(id, id, at, at, (id1, id2, t1, t2) => {
        const a = matchRunbook(alarmEvent({ id: id1, timestamp: t1 }), shipped);
        const b = matchRunbook(alarmEvent({ id: id2, timestamp: t2 }), shipped);
        if (!a.matched || !b.matched) throw new Error('the unhealthy-host alarm must match');
        expect(a.dedupeKeys[0] === b.dedupeKeys[0]).toBe(t1 === t2);
        expect(a.dedupeKeys[1] === b.dedupeKeys[1]).toBe(id1 === id2);
      }),
      { numRuns: 200 },
    );
  });
});

function mapValues<T extends object, V>(o: T, f: (v: unknown) => V): Record<keyof T, V> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as Record<keyof T, V>;
}
