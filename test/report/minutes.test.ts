import { describe, expect, it } from 'vitest';
import { minuteRows } from '../../src/report/minutes.ts';
import { normaliseTimeline } from '../../src/report/timeline.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { azOutageIncident, azOutageTimeline, ev, ms, sample } from './fixtures.ts';

const ID = 'gd-az-outage-1';
const rowsOf = (events: TimelineEvent[]) => minuteRows(normaliseTimeline(azOutageIncident(), events).facts);
const metrics = (minute: string, s = sample(480, 0.05, 280, [2, 2, 2], 20)) =>
  ev(ID, `${minute}:00`, `metrics:${minute}`, 'metrics.sample', s);
const note = (time: string, id: string) => ev(ID, time, id, 'note', { author: 'a', text: id });
const span = (r: { from: number; to: number; minutes: number; folded: boolean }) => ({
  from: new Date(r.from).toISOString().slice(11, 16),
  to: new Date(r.to).toISOString().slice(11, 16),
  minutes: r.minutes,
  folded: r.folded,
});

describe('minute-by-minute rows', () => {
  it('cover every minute from the first event to the last, each with its sample and events', () => {
    const rows = rowsOf([
      metrics('09:00'),
      note('09:00:30', 'n1'),
      metrics('09:01', sample(480, 9, 700, [0, 2, 2], 20)),
      note('09:01:10', 'n2'),
    ]);
    expect(rows.map(span)).toEqual([
      { from: '09:00', to: '09:00', minutes: 1, folded: false },
      { from: '09:01', to: '09:01', minutes: 1, folded: false },
    ]);
    expect(rows[0]!.facts.map((f) => f.event.eventId)).toEqual(['n1']);
    expect(rows[1]!.sample?.errorRatePercent).toBe(9);
  });

  it('fold a run of quiet minutes (no events, metrics within tolerance) into one row', () => {
    const rows = rowsOf([
      note('09:00:10', 'start'),
      metrics('09:01'),
      metrics('09:02', sample(490, 0.1, 290, [2, 2, 2], 30)),
      metrics('09:03', sample(475, 0.2, 275, [2, 2, 2], 25)),
      metrics('09:04', sample(480, 0.05, 280, [1, 2, 2], 20)),
      metrics('09:05', sample(480, 0.05, 280, [1, 2, 2], 20)),
      note('09:06:00', 'end'),
    ]);
    expect(rows.map(span)).toEqual([
      { from: '09:00', to: '09:00', minutes: 1, folded: false },
      { from: '09:01', to: '09:03', minutes: 3, folded: true },
      // A host lost is a change, however small the numbers.
      { from: '09:04', to: '09:05', minutes: 2, folded: true },
      { from: '09:06', to: '09:06', minutes: 1, folded: false },
    ]);
  });

  it('fold minutes that lack a p99 or a replica lag now and then, as in an outage, but not a missing request rate', () => {
    const outage = sample(480, 100, 287, [0, 0, 0], 268);
    const noP99 = { ...outage, p99LatencyMs: null };
    const rows = rowsOf([
      note('09:00:10', 'start'),
      metrics('09:01', outage),
      metrics('09:02', noP99),
      metrics('09:03', { ...outage, replicaLagMs: null }),
      metrics('09:04', noP99),
      metrics('09:05', { ...outage, requestRate: null }),
      note('09:06:00', 'end'),
    ]);
    expect(rows.map(span)).toEqual([
      { from: '09:00', to: '09:00', minutes: 1, folded: false },
      { from: '09:01', to: '09:04', minutes: 4, folded: true },
      { from: '09:05', to: '09:05', minutes: 1, folded: false },
      { from: '09:06', to: '09:06', minutes: 1, folded: false },
    ]);
  });

  it('compare each quiet minute with the first of its run, so a slow drift still breaks the run', () => {
    const rows = rowsOf([
      metrics('09:00', sample(100, 0, 280, [2, 2, 2], 20)),
      metrics('09:01', sample(104, 0, 280, [2, 2, 2], 20)),
      metrics('09:02', sample(108, 0, 280, [2, 2, 2], 20)),
      metrics('09:03', sample(112, 0, 280, [2, 2, 2], 20)),
    ]);
    expect(rows.map((r) => r.minutes)).toEqual([2, 2]);
  });

  it('do not fold a minute with an event, nor a change in 5xx rate beyond the tolerance', () => {
    const rows = rowsOf([
      metrics('09:00'),
      metrics('09:01', sample(480, 3, 280, [2, 2, 2], 20)),
      metrics('09:02'),
      note('09:02:30', 'n'),
      metrics('09:03'),
    ]);
    expect(rows.map(span).map((r) => r.minutes)).toEqual([1, 1, 1, 1]);
  });

  it('fold minutes where nothing at all was recorded without visiting them one by one', () => {
    const rows = rowsOf([
      note('09:00:00', 'a'),
      note(new Date(ms('09:00:00') + 30 * 86_400_000).toISOString(), 'b'),
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ minutes: 30 * 1440 - 1, folded: true, sample: null });
  });

  it('account for every minute of the AZ-outage game day', () => {
    const rows = rowsOf(azOutageTimeline());
    const total = rows.reduce((n, r) => n + r.minutes, 0);
    expect(rows[0]!.from).toBe(ms('08:57:00'));
    expect(rows[rows.length - 1]!.to).toBe(ms('09:17:00'));
    expect(total).toBe(21);
    // 08:59 holds only the OpenIncident step starting and returning: bookkeeping, so it folds.
    expect(rows.map(span)[0]).toEqual({ from: '08:57', to: '08:59', minutes: 3, folded: true });
  });

  it("leave the orchestration's bookkeeping out of the rows unless steps are asked for", () => {
    const events = [
      metrics('09:00'),
      ev(ID, '09:00:00', 'step:Preflight:started:1', 'gameday.step', {
        step: 'Preflight',
        status: 'started',
        attempt: 1,
      }),
      ev(ID, '09:00:00', 'preflight:kill-switch', 'gameday.preflight', {
        name: 'kill-switch',
        ok: true,
        detail: 'off',
      }),
      ev(ID, '09:00:00', 'preflight:window', 'gameday.preflight', {
        name: 'window',
        ok: false,
        detail: 'outside the window',
      }),
      metrics('09:01'),
      ev(ID, '09:01:00', 'step:Observe#1:succeeded:1', 'gameday.step', {
        step: 'Observe',
        status: 'succeeded',
        attempt: 1,
        iteration: 1,
      }),
      ev(ID, '09:01:00', 'step:Observe#2:failed:1', 'gameday.step', {
        step: 'Observe',
        status: 'failed',
        attempt: 1,
        error: 'Boom',
      }),
      metrics('09:02'),
      ev(ID, '09:02:00', 'step:Observe#3:started:1', 'gameday.step', {
        step: 'Observe',
        status: 'started',
        attempt: 1,
      }),
      metrics('09:03'),
      note('09:04:00', 'end'),
    ];
    const ids = (rows: ReturnType<typeof rowsOf>) => rows.map((r) => r.facts.map((f) => f.event.eventId));
    // A check that failed and a step that failed are news; what only says the machinery ran is not,
    // and a minute holding nothing else folds like a quiet one.
    expect(rowsOf(events).map(span)).toEqual([
      { from: '09:00', to: '09:00', minutes: 1, folded: false },
      { from: '09:01', to: '09:01', minutes: 1, folded: false },
      { from: '09:02', to: '09:03', minutes: 2, folded: true },
      { from: '09:04', to: '09:04', minutes: 1, folded: false },
    ]);
    expect(ids(rowsOf(events))).toEqual([['preflight:window'], ['step:Observe#2:failed:1'], [], ['end']]);
    const all = minuteRows(normaliseTimeline(azOutageIncident(), events).facts, { steps: true });
    expect(ids(all)).toEqual([
      // One instant, no sequence numbers: in the order of their ids.
      ['preflight:kill-switch', 'preflight:window', 'step:Preflight:started:1'],
      ['step:Observe#1:succeeded:1', 'step:Observe#2:failed:1'],
      ['step:Observe#3:started:1'],
      [],
      ['end'],
    ]);
  });
});
