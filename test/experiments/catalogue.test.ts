import { describe, expect, it } from 'vitest';
import { lastRuns, nextRun } from '../../src/experiments/catalogue.ts';
import type { Incident } from '../../src/timeline/event.ts';

const MONDAY_0900 = Date.parse('2026-01-05T09:00:00Z');

const gameDay = (incidentId: string, openedAt: string, attributes: Record<string, unknown>): Incident => ({
  incidentId,
  kind: 'gameday',
  title: incidentId,
  service: 'checkout',
  openedAt,
  status: 'resolved',
  attributes,
});

const VERDICT = {
  hypothesis: 'deviated',
  rto: { objectiveSeconds: 600, achievedSeconds: 422, met: true },
  faultStopped: true,
  experiment: { id: 'EXP1', finalStatus: 'completed' },
};

describe("an experiment's schedule", () => {
  it('gives the next time a cron fires, in UTC as EventBridge rules run', () => {
    expect(nextRun('cron(0 10 ? * TUE *)', MONDAY_0900)).toBe('2026-01-06T10:00:00.000Z');
  });

  it('gives none on demand, nor for a rate, which counts from its deploy', () => {
    expect(nextRun(undefined, MONDAY_0900)).toBeNull();
    expect(nextRun('rate(7 days)', MONDAY_0900)).toBeNull();
  });
});

describe("each experiment's last run", () => {
  it('is its newest game day, not a dry run, with the verdict its report recorded', () => {
    const last = lastRuns([
      gameDay('ik-dry', '2026-01-05T11:00:00.000Z', {
        experiment: 'instance-kill',
        dryRun: true,
        verdict: VERDICT,
      }),
      { ...gameDay('ik-2', '2026-01-05T10:00:00.000Z', { experiment: 'instance-kill' }), status: 'open' },
      gameDay('ik-1', '2026-01-05T09:00:00.000Z', { experiment: 'instance-kill', verdict: VERDICT }),
      // As older incidents recorded it: the experiment itself.
      gameDay('az-1', '2026-01-04T09:00:00.000Z', { experiment: { name: 'az-outage' }, verdict: VERDICT }),
      {
        ...gameDay('rem-1', '2026-01-05T12:00:00.000Z', { experiment: 'instance-kill' }),
        kind: 'remediation',
      },
    ]);
    expect([...last.keys()]).toEqual(['instance-kill', 'az-outage']);
    expect(last.get('instance-kill')).toEqual({
      incidentId: 'ik-2',
      openedAt: '2026-01-05T10:00:00.000Z',
      status: 'open',
      verdict: null,
    });
    expect(last.get('az-outage')?.verdict).toEqual(VERDICT);
  });
});
