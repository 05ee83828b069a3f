import { describe, expect, it } from 'vitest';
import { notificationOf } from '../../src/gameday/notify.ts';
import type { GameDayState } from '../../src/gameday/state.ts';

const REASON = 'Action impairSqs2m (aws:ssm:start-automation-execution) failed: Document x does not exist.';

/** A game day at its Notify step, its report written with this verdict; its recovery check passed. */
function atNotify(verdict: Record<string, unknown>): GameDayState {
  return {
    gamedayId: 'sqs-20260105T1100Z',
    experiment: { name: 'sqs', service: 'checkout', description: 'SQS impairment' },
    experimentRun: { experimentId: 'EXP1' },
    recovery: { done: true, recovered: true, deadline: '2026-01-05T11:15:03.000Z' },
    report: { verdict, reports: { markdown: 's3://b/r.md', html: 's3://b/r.html', json: 's3://b/r.json' } },
  } as unknown as GameDayState;
}

describe('the notification of a game day that injected nothing', () => {
  it('does not read "recovered": it says nothing was injected, and carries FIS’s reason', () => {
    const { subject, message } = notificationOf(
      atNotify({
        hypothesis: 'untested',
        injected: false,
        rto: { objectiveSeconds: 900, achievedSeconds: null, met: null },
        faultStopped: true,
        experiment: { id: 'EXP1', finalStatus: 'failed', reason: REASON },
      }),
    );
    expect(subject).toBe('[faultline] game day sqs on checkout: NOTHING INJECTED (experiment failed)');
    expect(message).toContain('Outcome: NOTHING INJECTED (experiment failed)\n');
    expect(message).toContain(`"reason":"${REASON}"`);
  });

  it('reads as before for one that injected', () => {
    const { subject } = notificationOf(
      atNotify({
        hypothesis: 'held',
        injected: true,
        rto: { objectiveSeconds: 900, achievedSeconds: 60, met: true },
        faultStopped: true,
        experiment: { id: 'EXP1', finalStatus: 'completed', reason: null },
      }),
    );
    expect(subject).toBe('[faultline] game day sqs on checkout: recovered within RTO');
  });
});
