import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReportInputError } from '../../src/report/errors.ts';
import { renderReport } from '../../src/report/render.ts';
import { normaliseTimeline } from '../../src/report/timeline.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { azOutageIncident, azOutageTimeline, ev } from './fixtures.ts';

const ID = 'gd-az-outage-1';
const incident = azOutageIncident();
const alarm = (time: string, name: string, from: string, to: string) =>
  ev(ID, time, `alarm:${name}:${time}`, 'alarm.state', { alarm: name, from, to, reason: 'r' });

describe('normalising the timeline', () => {
  it('orders by occurredAt, then eventId, whatever the input order', () => {
    const events = [
      ev(ID, '09:00:02', 'b', 'note', { author: 'a', text: 'b' }),
      ev(ID, '09:00:01', 'z', 'note', { author: 'a', text: 'z' }),
      ev(ID, '09:00:02', 'a', 'note', { author: 'a', text: 'a' }),
    ];
    expect(normaliseTimeline(incident, events).facts.map((f) => f.event.eventId)).toEqual(['z', 'a', 'b']);
  });

  it('orders the events of one millisecond as they were recorded (seq), the monitoring first, unnumbered ones last', () => {
    const numbered = (time: string, id: string, seq: number) => ({
      ...ev(ID, time, id, 'note', { author: 'a', text: id }),
      seq,
    });
    const events = [
      numbered('09:00:00', 'notification:1', 4),
      numbered('09:00:00', 'step:Notify:started:1', 3),
      ev(ID, '09:00:00', 'legacy', 'note', { author: 'a', text: '' }),
      { ...alarm('09:00:00', 'a', 'OK', 'ALARM'), seq: 9 },
      numbered('09:00:00', 'step:RenderReport:started:1', 2),
      numbered('08:59:59', 'z', 10),
    ];
    expect(normaliseTimeline(incident, events).facts.map((f) => f.event.eventId)).toEqual([
      'z',
      'alarm:a:09:00:00',
      'step:RenderReport:started:1',
      'step:Notify:started:1',
      'notification:1',
      'legacy',
    ]);
  });

  it('compares instants, not strings, so differently written times still sort right', () => {
    const late = {
      ...ev(ID, '09:00:01', 'late', 'note', { author: 'a', text: '' }),
      occurredAt: '2026-01-06T09:00:01Z',
    };
    const early = ev(ID, '09:00:00', 'early', 'note', { author: 'a', text: '' });
    expect(normaliseTimeline(incident, [late, early]).facts.map((f) => f.event.eventId)).toEqual([
      'early',
      'late',
    ]);
  });

  it('keeps one event per eventId: the first recorded', () => {
    const original = ev(ID, '09:00:00', 'note:1', 'note', { author: 'a', text: 'x' });
    const retried = { ...original, recordedAt: '2026-01-06T09:05:00.000Z' };
    const t = normaliseTimeline(incident, [retried, original, original]);
    expect(t.facts).toHaveLength(1);
    expect(t.facts[0]!.event.recordedAt).toBe(original.recordedAt);
    expect(t.duplicatesDropped).toBe(2);
  });

  it('drops an alarm "changing" to the state it was in, and a health check repeating its status', () => {
    const events = [
      alarm('09:00:00', 'a', 'OK', 'OK'),
      alarm('09:01:00', 'a', 'OK', 'ALARM'),
      alarm('09:02:00', 'a', 'OK', 'ALARM'),
      alarm('09:03:00', 'b', 'OK', 'ALARM'),
      alarm('09:04:00', 'a', 'ALARM', 'OK'),
      ev(ID, '09:00:00', 'hc:1', 'healthcheck.status', { healthCheckId: 'hc', healthy: true }),
      ev(ID, '09:01:00', 'hc:2', 'healthcheck.status', { healthCheckId: 'hc', healthy: true }),
      ev(ID, '09:02:00', 'hc:3', 'healthcheck.status', { healthCheckId: 'hc', healthy: false }),
    ];
    const t = normaliseTimeline(incident, events);
    expect(t.facts.map((f) => f.event.eventId)).toEqual([
      'hc:1',
      'alarm:a:09:01:00',
      'hc:3',
      'alarm:b:09:03:00',
      'alarm:a:09:04:00',
    ]);
    expect(t.repeatsDropped).toBe(3);
  });

  it('refuses a correction of an event that is not on the timeline, naming both', () => {
    const bad: TimelineEvent = {
      ...ev(ID, '09:00:00', 'correction:1', 'correction', { author: 'a', text: 'wrong' }),
      corrects: 'alarm:nope',
    };
    expect(() => normaliseTimeline(incident, [bad])).toThrow(ReportInputError);
    expect(() => normaliseTimeline(incident, [bad])).toThrow(/'correction:1' corrects 'alarm:nope'/);
  });

  it("refuses another incident's event", () => {
    expect(() =>
      normaliseTimeline(incident, [ev('other', '09:00:00', 'n', 'note', { author: 'a', text: '' })]),
    ).toThrow(/belongs to incident 'other', not 'gd-az-outage-1'/);
  });

  it('names the event and the field when a detail does not match its kind', () => {
    const bad = { ...alarm('09:00:00', 'a', 'OK', 'ALARM'), detail: { alarm: 'a', from: 'OK', reason: 'r' } };
    expect(() => normaliseTimeline(incident, [bad])).toThrow(
      /'alarm:a:09:00:00' \(alarm\.state\): detail\.to/,
    );
  });

  it('keeps a corrected event visible and shows the correction beside it', () => {
    const events = [
      ...azOutageTimeline(),
      {
        ...ev(
          ID,
          '09:20:00',
          'correction:c1',
          'correction',
          { author: 'carol', text: 'was a false page' },
          'carol: was a false page',
        ),
        corrects: 'note:0001',
      },
    ];
    const { markdown } = renderReport(incident, events);
    expect(markdown).toMatch(
      /alice: Paged by unhealthy hosts; watching\. \[corrected at 09:20:00: carol: was a false page\]/,
    );
    expect(markdown).toMatch(/09:20:00 carol: was a false page \(corrects note:0001\)/);
  });
});

describe('the same events in any order, any number of times', () => {
  const events = azOutageTimeline();
  const reference = renderReport(incident, events, { timeZone: 'Europe/Paris' });

  it('render the same report (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(events.length - 1), { maxLength: 40 }),
        fc.boolean(),
        fc.nat(),
        (dupes, laterRecord, seed) => {
          const copies = dupes.map((i) => {
            const e = events[i]!;
            // A retried write: same fact, recorded again later.
            return laterRecord
              ? { ...e, recordedAt: new Date(Date.parse(e.recordedAt) + 60_000).toISOString() }
              : { ...e };
          });
          const all = shuffle([...events, ...copies], seed);
          const r = renderReport(incident, all, { timeZone: 'Europe/Paris' });
          expect(r.markdown).toBe(reference.markdown);
          expect(r.html).toBe(reference.html);
          expect(r.json).toBe(reference.json);
          expect(r.verdict).toEqual(reference.verdict);
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** Fisher–Yates with a small seeded generator (fast-check supplies the seed, so failures replay). */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
