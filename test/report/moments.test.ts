import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { renderReport } from '../../src/report/render.ts';
import type { Incident } from '../../src/timeline/event.ts';
import { AZ_OUTAGE_TRUTH, azOutageIncident, azOutageTimeline, ev, iso, ms, sample } from './fixtures.ts';

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
    expect(moment(a, 'mitigated').eventId).toBe('fis:experiment:EXP4z9kPq2:completed');
    expect(moment(a, 'resolved').eventId).toBeNull();
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
      '| Detected | 2026-01-06 09:02:30 | The first alarm transition to ALARM at or after impact started. |',
    );
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
  it('reports moments out of order instead of printing a negative duration', () => {
    const events = azOutageTimeline().map((e) =>
      e.kind === 'gameday.recovery' ? { ...e, detail: { ...e.detail, recoveredAt: iso('08:58:00') } } : e,
    );
    const a = analyse(azOutageIncident(), events);
    expect(a.orderProblems.length).toBeGreaterThan(0);
    expect(a.orderProblems[0]).toMatch(/Recovered \(08:58:00\) is before impact started \(09:00:10\)/);
    expect(duration(a, 'timeToRecover')).toMatchObject({
      seconds: null,
      note: 'moments out of order (see the order check)',
    });
    expect(duration(a, 'timeToDetect').seconds).toBe(140);
    expect(a.objectives.rto.achievedSeconds).toBeNull();

    const { markdown } = renderReport(azOutageIncident(), events);
    expect(markdown).toContain('Order check failed');
    expect(markdown).not.toMatch(/(^|[^\w])[-−]\d+ (s|min)\b/m);
  });

  it('flags a close before the impact', () => {
    const a = analyse(azOutageIncident({ closedAt: iso('08:00:00') }), azOutageTimeline());
    expect(a.orderProblems.some((p) => p.startsWith('Resolved (08:00:00) is before'))).toBe(true);
    expect(duration(a, 'timeToResolve').seconds).toBeNull();
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
