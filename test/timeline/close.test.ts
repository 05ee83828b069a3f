import { describe, expect, it } from 'vitest';
import { closing } from '../../src/timeline/close.ts';
import type { Incident } from '../../src/timeline/event.ts';

const incident = (over: Partial<Incident> = {}): Incident => ({
  incidentId: 'checkout-5xx-rate-20260105T0903Z',
  kind: 'remediation',
  title: 'checkout-5xx-rate in ALARM',
  service: 'checkout',
  openedAt: '2026-01-05T09:03:05.000Z',
  status: 'open',
  attributes: {},
  ...over,
});
const closure = {
  author: ' ic ',
  reason: ' held back during the drill ',
  at: new Date('2026-01-05T10:00:00Z'),
};

describe('closing an incident by hand', () => {
  it('resolves it at the closing instant, keeps who and why, and says so on its timeline', () => {
    const { event, change } = closing(incident(), closure, 'fixed-id');
    expect(change).toEqual({
      status: 'resolved',
      closedAt: '2026-01-05T10:00:00.000Z',
      attributes: {
        closedBy: { author: 'ic', reason: 'held back during the drill', at: '2026-01-05T10:00:00.000Z' },
      },
    });
    expect(event).toMatchObject({
      eventId: 'note:fixed-id',
      occurredAt: '2026-01-05T10:00:00.000Z',
      source: 'person',
      kind: 'note',
      summary: 'ic: closed the incident: held back during the drill',
    });
  });

  it.each<[string, Partial<Incident>, string]>([
    [
      'a day of dropped events',
      { incidentId: 'remediation-dropped-2026-01-05', status: 'refused' },
      "remediation-dropped-2026-01-05 is the day's log of events no runbook acted on, not an incident: there is nothing to close",
    ],
    [
      'an incident already closed',
      { status: 'resolved', closedAt: '2026-01-05T09:10:00.000Z' },
      'checkout-5xx-rate-20260105T0903Z is already resolved (at 2026-01-05T09:10:00.000Z)',
    ],
    [
      'the incident of a game day still running',
      { incidentId: 'az-outage-20260105T0900Z', kind: 'gameday' },
      "az-outage-20260105T0900Z is a game day's incident and its game day has not ended: it closes it when it ends (one cut short is closed when its sandbox starts again)",
    ],
  ])('refuses %s, naming why', (_, over, message) => {
    expect(() => closing(incident(over), closure)).toThrow(message);
  });

  it('closes the incident a game day left open when it ended unrecovered', () => {
    const ended = incident({ kind: 'gameday', attributes: { verdict: { hypothesis: 'deviated' } } });
    expect(closing(ended, closure).change.status).toBe('resolved');
  });

  it('refuses an empty reason', () => {
    expect(() => closing(incident(), { ...closure, reason: '  ' })).toThrow(
      'the reason is empty: say why it is closed (--reason "…")',
    );
  });
});
