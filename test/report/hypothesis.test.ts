import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { AZ_OUTAGE_ATTRIBUTES, azOutageIncident, azOutageTimeline, ev, iso, sample } from './fixtures.ts';

const ID = 'gd-az-outage-1';
/** The AZ-outage timeline with the 5xx spike of minutes 09:01 and 09:02 smoothed away. */
function withoutSpike(): TimelineEvent[] {
  return azOutageTimeline().map((e) =>
    e.kind === 'metrics.sample' && (e.eventId.includes('T09:01') || e.eventId.includes('T09:02'))
      ? { ...e, detail: sample(480, 0.4, 560, [0, 2, 2], 25) }
      : e,
  );
}

describe('the hypothesis verdict', () => {
  it('deviates when a metric bound is crossed, saying which, when and how far', () => {
    const h = analyse(azOutageIncident(), azOutageTimeline()).hypothesis;
    expect(h.verdict).toBe('deviated');
    expect(h.reasons).toEqual(['error-rate was outside max 1 in 2 of 18 minutes (09:01–09:02), worst 22']);
  });

  it('holds when the steady state was there before, every bound kept, and it came back within the RTO', () => {
    const h = analyse(azOutageIncident(), withoutSpike()).hypothesis;
    expect(h.verdict).toBe('held');
    expect(h.reasons).toEqual([]);
    // Alarms that fired during the fault are reported, not held against it.
    expect(h.checks.map((c) => `${c.phase}:${c.subject}:${c.held}`)).toEqual([
      'before:checkout-5xx-rate:true',
      'before:checkout-p99-latency:true',
      'before:checkout-unhealthy-hosts:true',
      'before:checkout-primary:true',
      'during:error-rate:true',
      'after:steady state:true',
    ]);
    expect(h.definition).toMatch(/^Held when \(before\)/);
  });

  it('deviates when a steady-state alarm was already in ALARM when impact started', () => {
    const events = [
      ...withoutSpike(),
      ev(ID, '08:58:00', 'alarm:checkout-p99-latency:early', 'alarm.state', {
        alarm: 'checkout-p99-latency',
        from: 'OK',
        to: 'ALARM',
        reason: 'r',
      }),
      ev(ID, '09:12:00', 'alarm:checkout-p99-latency:late', 'alarm.state', {
        alarm: 'checkout-p99-latency',
        from: 'ALARM',
        to: 'OK',
        reason: 'r',
      }),
    ];
    const h = analyse(azOutageIncident(), events).hypothesis;
    expect(h.verdict).toBe('deviated');
    expect(h.reasons).toEqual([
      'alarm checkout-p99-latency was already ALARM (since 08:58:00) when impact started',
    ]);
  });

  it('deviates when the steady state is not back within the RTO', () => {
    const back = iso('09:30:00');
    const events = withoutSpike().map((e) =>
      e.eventId === `alarm:checkout-unhealthy-hosts:${iso('09:13:00')}`
        ? { ...e, eventId: `alarm:checkout-unhealthy-hosts:${back}`, occurredAt: back }
        : e.kind === 'gameday.recovery'
          ? { ...e, occurredAt: iso('09:30:30') }
          : e,
    );
    const h = analyse(azOutageIncident({ closedAt: iso('10:00:00') }), events).hypothesis;
    expect(h.verdict).toBe('deviated');
    expect(h.reasons[0]).toMatch(
      /steady state back at 09:30:00, 19 min 50 s after the fault ended \(RTO 15 min\): RTO missed/,
    );
  });

  it('is untested when nothing was injected', () => {
    const events = [
      ev(ID, '09:00:00', 'gameday:refused', 'gameday.refused', { reasons: ['the kill switch is set'] }),
    ];
    const a = analyse(azOutageIncident(), events);
    expect(a.hypothesis.verdict).toBe('untested');
    expect(a.automation.faultStopped).toBe(true);
  });

  it('says a bound it cannot read off the samples was not evaluated, without failing it', () => {
    const attributes = {
      experiment: {
        ...AZ_OUTAGE_ATTRIBUTES.experiment,
        hypothesis: {
          ...AZ_OUTAGE_ATTRIBUTES.experiment.hypothesis,
          metrics: [{ name: 'cpu', namespace: 'AWS/EC2', metric: 'CPUUtilization', max: 90 }],
        },
      },
    };
    const h = analyse(azOutageIncident({ attributes }), withoutSpike()).hypothesis;
    expect(h.verdict).toBe('held');
    expect(h.checks.find((c) => c.subject === 'cpu')).toMatchObject({
      held: null,
      detail: 'cpu: not evaluated, the minute samples do not carry AWS/EC2 CPUUtilization (Average)',
    });
  });
});
