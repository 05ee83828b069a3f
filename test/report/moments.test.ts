import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { ORDER, shownMoments } from '../../src/report/moments.ts';
import { renderReport } from '../../src/report/render.ts';
import type { Incident } from '../../src/timeline/event.ts';
import {
  AZ_OUTAGE_TRUTH,
  anyEv,
  azOutageIncident,
  azOutageTimeline,
  ev,
  instanceKillIncident,
  instanceKillTimeline,
  iso,
  ms,
  sample,
} from './fixtures.ts';

const ID = 'gd-az-outage-1';

const moment = (a: ReturnType<typeof analyse>, name: string) => a.moments.find((m) => m.name === name)!;
const duration = (a: ReturnType<typeof analyse>, name: string) => a.durations.find((d) => d.name === name)!;

describe('key moments of the AZ-outage game day', () => {
  const a = analyse(azOutageIncident(), azOutageTimeline());

  it('are derived where the world put them', () => {
    for (const name of [
      'impactStarted',
      'detected',
      'responded',
      'mitigated',
      'recovered',
      'resolved',
    ] as const) {
      expect(moment(a, name).at, name).toBe(ms(AZ_OUTAGE_TRUTH[name]));
    }
    expect(moment(a, 'impactStarted').eventId).toBe('fis:action:EXP4z9kPq2:failover-database:running');
    expect(moment(a, 'detected').eventId).toBe(`alarm:checkout-unhealthy-hosts:${iso('09:02:30')}`);
    expect(moment(a, 'responded').eventId).toBe('note:0001');
    // The error rate was back within its bound from 09:03 on; the experiment went on until 09:10:12.
    expect(moment(a, 'mitigated').eventId).toBe(`metrics:${iso('09:03:00')}`);
    // The last steady-state alarm back to OK, not the recovery check that saw it at 09:13:31.
    expect(moment(a, 'recovered').eventId).toBe(`alarm:checkout-unhealthy-hosts:${iso('09:13:00')}`);
    expect(moment(a, 'recovered').evidence).toBe('alarm checkout-unhealthy-hosts ALARM → OK');
    expect(moment(a, 'resolved').eventId).toBeNull();
  });

  it('are shown in the order they happened, each with the event that shows it', () => {
    const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());
    const table = markdown.slice(
      markdown.indexOf('| Moment |'),
      markdown.indexOf('**How each moment is defined**'),
    );
    const rows = table.split('\n').slice(2, -2);
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| Impact started',
      '| Detected',
      '| Responded',
      '| Mitigated',
      '| Recovered',
      '| Resolved',
    ]);
    expect(table).toContain(
      '| Recovered | 2026-01-06 09:13:00 | alarm checkout-unhealthy-hosts ALARM → OK |',
    );
  });

  it('give durations measured from impact start, each with its definition', () => {
    const seconds = (from: string, to: string) => (ms(to) - ms(from)) / 1000;
    const t = AZ_OUTAGE_TRUTH;
    expect(duration(a, 'timeToDetect').seconds).toBe(seconds(t.impactStarted, t.detected));
    expect(duration(a, 'timeToRespond').seconds).toBe(seconds(t.impactStarted, t.responded));
    expect(duration(a, 'timeToMitigate').seconds).toBe(seconds(t.impactStarted, t.mitigated));
    expect(duration(a, 'timeToRecover').seconds).toBe(seconds(t.impactStarted, t.recovered));
    expect(duration(a, 'timeToResolve').seconds).toBe(seconds(t.impactStarted, t.resolved));
    expect(duration(a, 'timeToDetect').seconds).toBe(140);
    for (const d of a.durations) expect(d.definition).toMatch(/^Impact started → /);
    expect(a.orderProblems).toEqual([]);
  });

  it('are shown in the report with their durations and definitions', () => {
    const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());
    expect(markdown).toContain(
      '| Detected | 2026-01-06 09:02:30 | alarm checkout-unhealthy-hosts OK → ALARM |',
    );
    expect(markdown).toContain('- Detected: The first alarm transition to ALARM at or after impact started.');
    expect(markdown).toContain('| Time to detect (TTD) | 2 min 20 s | Impact started → detected. |');
    expect(markdown).toContain('| Time to recover (TTR) | 12 min 50 s | Impact started → recovered. |');
    expect(markdown).toContain('All durations are measured from impact start');
    expect(markdown).toContain('Order check: passed.');
  });

  it('without a recovery verification, recovery is when every steady-state alarm is OK again', () => {
    const events = azOutageTimeline().filter((e) => e.kind !== 'gameday.recovery');
    const b = analyse(azOutageIncident(), events);
    expect(moment(b, 'recovered').at).toBe(ms('09:13:00'));
    expect(moment(b, 'recovered').eventId).toBe(`alarm:checkout-unhealthy-hosts:${iso('09:13:00')}`);
  });

  it('a steady-state alarm still in ALARM at the end means not recovered', () => {
    const events = azOutageTimeline().filter(
      (e) =>
        e.kind !== 'gameday.recovery' && e.eventId !== `alarm:checkout-unhealthy-hosts:${iso('09:13:00')}`,
    );
    const b = analyse(azOutageIncident(), events);
    expect(moment(b, 'recovered').at).toBeNull();
    expect(duration(b, 'timeToRecover')).toMatchObject({ seconds: null, note: 'recovered not recorded' });
  });
});

describe('the order check', () => {
  it('refuses a timeline whose incident was closed before the steady state was back: no negative or false duration', () => {
    const a = analyse(azOutageIncident({ closedAt: iso('09:12:00') }), azOutageTimeline());
    expect(a.orderProblems).toEqual([
      'Resolved (09:12:00) is before recovered (09:13:00): the durations to either are not computed.',
    ]);
    expect(duration(a, 'timeToRecover')).toMatchObject({
      seconds: null,
      note: 'moments out of order (see the order check)',
    });
    expect(duration(a, 'timeToResolve').seconds).toBeNull();
    expect(duration(a, 'timeToDetect').seconds).toBe(140);
    expect(a.objectives.rto).toMatchObject({ achievedSeconds: null, met: null });

    const { markdown } = renderReport(azOutageIncident({ closedAt: iso('09:12:00') }), azOutageTimeline());
    expect(markdown).toContain('Order check failed');
    expect(markdown).toContain('Order check: failed.');
    expect(markdown).not.toContain('Order check: passed.');
    expect(markdown).not.toMatch(/(^|[^\w])[-−]\d+ (s|min)\b/m);
  });

  it('refuses a remediation verified before it acted', () => {
    const events = [
      ...azOutageTimeline(),
      anyEv(ID, '09:05:00', 'remediation:r1:5:action:started', 'remediation.action', {
        remediationId: 'r1',
        runbook: 'unhealthy-hosts',
        outcome: 'started',
        action: 'automation',
        executionId: 'x',
      }),
      anyEv(ID, '09:02:00', 'remediation:r1:6:verify:verified', 'remediation.verify', {
        remediationId: 'r1',
        runbook: 'unhealthy-hosts',
        verified: true,
        deadline: iso('09:20:00'),
        pending: [],
      }),
    ];
    const a = analyse(azOutageIncident(), events);
    expect(a.orderProblems).toEqual([
      'Remediation verified (09:02:00) is before remediation acted (09:05:00): the durations to either are not computed.',
    ]);
  });

  it('flags a close before the impact', () => {
    const a = analyse(azOutageIncident({ closedAt: iso('08:00:00') }), azOutageTimeline());
    expect(a.orderProblems.some((p) => p.startsWith('Resolved (08:00:00) is before'))).toBe(true);
    expect(duration(a, 'timeToResolve').seconds).toBeNull();
  });

  it('passes every pair it checks on a consistent timeline', () => {
    const a = analyse(azOutageIncident(), azOutageTimeline());
    const at = (name: string) => moment(a, name).at!;
    for (const [before, after] of ORDER) {
      if (moment(a, before).at !== null && moment(a, after).at !== null)
        expect(at(before), `${before} ≤ ${after}`).toBeLessThanOrEqual(at(after));
    }
    expect(a.orderProblems).toEqual([]);
  });
});

describe('key moments of a real incident (remediation)', () => {
  const incident: Incident = {
    incidentId: 'inc-1',
    kind: 'remediation',
    title: 'checkout 5xx rate',
    service: 'checkout',
    openedAt: iso('10:00:30'),
    status: 'resolved',
    closedAt: iso('10:30:00'),
    attributes: {},
  };
  const events = [
    ev('inc-1', '09:59:00', 'metrics:1', 'metrics.sample', sample(480, 0.05, 280, [2, 2, 2], 20)),
    ev('inc-1', '10:00:00', 'alarm:5xx:1', 'alarm.state', {
      alarm: 'checkout-5xx-rate',
      from: 'OK',
      to: 'ALARM',
      reason: 'r',
    }),
    ev('inc-1', '10:01:00', 'approval:1', 'note', { author: 'dave', text: 'approved restart' }),
    ev('inc-1', '10:02:00', 'ssm:x:InProgress', 'ssm.automation', {
      executionId: 'x',
      document: 'AWS-RestartEC2Instance',
      status: 'InProgress',
    }),
    ev('inc-1', '10:06:00', 'ssm:x:Success', 'ssm.automation', {
      executionId: 'x',
      document: 'AWS-RestartEC2Instance',
      status: 'Success',
    }),
    ev('inc-1', '10:09:00', 'alarm:5xx:2', 'alarm.state', {
      alarm: 'checkout-5xx-rate',
      from: 'ALARM',
      to: 'OK',
      reason: 'r',
    }),
  ];

  it('start at the first alarm, are mitigated by the remediation and recover when the alarm is OK', () => {
    const a = analyse(incident, events);
    expect(moment(a, 'impactStarted').at).toBe(ms('10:00:00'));
    expect(moment(a, 'detected').at).toBe(ms('10:00:00'));
    expect(moment(a, 'responded').at).toBe(ms('10:01:00'));
    expect(moment(a, 'mitigated').at).toBe(ms('10:06:00'));
    expect(moment(a, 'recovered').at).toBe(ms('10:09:00'));
    expect(moment(a, 'resolved').at).toBe(ms('10:30:00'));
    expect(moment(a, 'impactStarted').definition).toMatch(/first alarm in ALARM/);
  });

  it('are mitigated by the recovery when the alarm was back before the automation reported success', () => {
    const early = events.map((e) =>
      e.eventId === 'alarm:5xx:2' ? { ...e, occurredAt: iso('10:05:00') } : e,
    );
    const a = analyse(incident, early);
    expect(moment(a, 'recovered').at).toBe(ms('10:05:00'));
    expect(moment(a, 'mitigated')).toMatchObject({ at: ms('10:05:00'), eventId: 'alarm:5xx:2' });
    expect(a.orderProblems).toEqual([]);
  });

  it('start at the first sample outside a hypothesis bound when it comes before any alarm', () => {
    const withBound: Incident = {
      ...incident,
      attributes: {
        hypothesis: {
          alarms: ['checkout-5xx-rate'],
          metrics: [{ name: 'error-rate', namespace: 'Faultline/Service', metric: 'ErrorRate', max: 1 }],
        },
      },
    };
    const a = analyse(withBound, [
      ...events,
      ev('inc-1', '09:58:00', 'metrics:0', 'metrics.sample', sample(480, 12, 280, [2, 2, 2], 20)),
    ]);
    expect(moment(a, 'impactStarted').at).toBe(ms('09:58:00'));
    expect(moment(a, 'impactStarted').eventId).toBe('metrics:0');
    expect(moment(a, 'detected').at).toBe(ms('10:00:00'));
  });
});

describe('key moments of the instance kill: the service was fixed before the experiment’s wait ended', () => {
  const a = analyse(instanceKillIncident(), instanceKillTimeline());

  it('come from the events that show them, not from the minute poll that noticed them', () => {
    expect(moment(a, 'impactStarted').at).toBe(ms('09:00:03'));
    // The load balancer stopped sending to the dead host: 5xx within bounds from 09:01, before any alarm.
    expect(moment(a, 'mitigated')).toMatchObject({
      at: ms('09:01:00'),
      eventId: `metrics:${iso('09:01:00')}`,
    });
    expect(moment(a, 'detected').at).toBe(ms('09:03:05'));
    expect(moment(a, 'remediationActed').at).toBe(ms('09:03:05'));
    // The alarm's own return to OK; the game day's check saw it at 09:10:00, the experiment's wait ended at 09:08:03.
    expect(moment(a, 'recovered')).toMatchObject({
      at: ms('09:07:05'),
      eventId: `alarm:checkout-unhealthy-hosts:${iso('09:07:05')}`,
    });
    expect(moment(a, 'remediationVerified').at).toBe(ms('09:07:20'));
    expect(moment(a, 'resolved').at).toBe(ms('09:10:00'));
    expect(a.orderProblems).toEqual([]);
  });

  it('measure the RTO from the kill (the wait after it is not the fault) to the alarm back to OK', () => {
    expect(a.objectives.rto).toMatchObject({
      faultEndedAt: ms('09:00:03'),
      recoveredAt: ms('09:07:05'),
      achievedSeconds: 422,
      met: true,
    });
  });

  it('measure the impact from the service’s signals, and say which', () => {
    expect(a.impact).toMatchObject({
      basis: 'signals',
      from: ms('09:00:03'),
      to: ms('09:07:05'),
      start: {
        eventId: `metrics:${iso('09:00:00')}`,
        evidence: 'error-rate outside its bound in the minute of 09:00',
      },
      end: { eventId: `alarm:checkout-unhealthy-hosts:${iso('09:07:05')}` },
      outsideBounds: { from: ms('09:00:03'), to: ms('09:01:00'), minutes: 1 },
      recovered: true,
    });
    const { markdown } = renderReport(instanceKillIncident(), instanceKillTimeline());
    expect(markdown).toContain(
      "Impact from 09:00:03 to 09:07:05 (7 min 2 s), measured from the service's own signals: from the first sign (error-rate outside its bound in the minute of 09:00) to the last return to the steady state (checkout-unhealthy-hosts: ALARM → OK).",
    );
    expect(markdown).toContain(
      "User impact, as the hypothesis's metric bounds show it: 1 minute outside them, from 09:00:03 to 09:01:00.",
    );
    expect(markdown).not.toContain('1 min 57 s');
  });

  it('list the moments in the order they happened', () => {
    expect(shownMoments(a.moments).map((m) => m.name)).toEqual([
      'impactStarted',
      'mitigated',
      'detected',
      'responded',
      'remediationActed',
      'recovered',
      'remediationVerified',
      'resolved',
    ]);
  });

  it('count nothing to recover from when nothing left the steady state: recovered at the fault’s end, RTO zero', () => {
    const calm = instanceKillTimeline()
      .filter((e) => e.kind !== 'alarm.state')
      .map((e) =>
        e.kind === 'metrics.sample' ? { ...e, detail: { ...e.detail, errorRatePercent: 0.05 } } : e,
      );
    const b = analyse(instanceKillIncident(), calm);
    expect(moment(b, 'recovered')).toMatchObject({
      at: ms('09:00:03'),
      eventId: 'fis:action:EXPkill1:process-dies:completed',
      evidence: 'the fault ended; nothing had left the steady state',
    });
    // The remediation's action succeeded later: the impact had already stopped (there was none).
    expect(moment(b, 'mitigated').at).toBe(ms('09:00:03'));
    expect(b.objectives.rto).toMatchObject({ achievedSeconds: 0, met: true });
    expect(b.impact).toMatchObject({ basis: 'fault', from: ms('09:00:03'), to: ms('09:00:03'), end: null });
    const { markdown } = renderReport(instanceKillIncident(), calm);
    expect(markdown).toContain(
      "The service stayed in its steady state: no steady-state alarm or health check left its state and every minute kept the hypothesis's metric bounds. The fault ran from 09:00:03 to 09:00:03 (0 s).",
    );
  });

  it('without the remediation: users were spared by the load balancer, the steady state never came back', () => {
    const off = analyse(
      instanceKillIncident({ status: 'open', closedAt: undefined }),
      instanceKillTimeline({ remediation: false }),
    );
    expect(moment(off, 'mitigated').at).toBe(ms('09:01:00'));
    expect(moment(off, 'recovered').at).toBeNull();
    expect(off.objectives.rto).toMatchObject({ met: false, achievedSeconds: null });
    expect(off.impact).toMatchObject({ basis: 'signals', recovered: false, end: null });
  });
});
