import { describe, expect, it } from 'vitest';
import { exitStatus, type GameDayOutcome } from '../../cli/gameday-exit.ts';

const rto = (met: boolean | null) => ({
  objectiveSeconds: 600,
  achievedSeconds: met ? 420 : null,
  met,
});
const completed = (hypothesis: 'held' | 'deviated' | 'untested', met: boolean | null): GameDayOutcome => ({
  kind: 'gameday',
  status: 'completed',
  faultStopped: true,
  verdict: { hypothesis, rto: rto(met) },
});

describe('faultline gameday exit status', () => {
  it('is 0 for any verdict of a game day that ran and stopped its fault, unless asked to fail on a deviation', () => {
    expect(exitStatus(completed('deviated', false))).toBe(0);
    expect(exitStatus(completed('held', true), { failOnDeviation: true })).toBe(0);
  });

  it('is 4 with --fail-on-deviation when the hypothesis deviated or the RTO was missed', () => {
    expect(exitStatus(completed('deviated', true), { failOnDeviation: true })).toBe(4);
    expect(exitStatus(completed('held', false), { failOnDeviation: true })).toBe(4);
  });

  it('is 4 with --fail-on-deviation when the game day injected nothing: it rehearsed nothing', () => {
    const nothing: GameDayOutcome = {
      ...completed('untested', null),
      verdict: { ...completed('untested', null).verdict!, injected: false },
    };
    expect(exitStatus(nothing)).toBe(0);
    expect(exitStatus(nothing, { failOnDeviation: true })).toBe(4);
  });

  it('never counts a dry run, which measured nothing, as a deviation', () => {
    expect(exitStatus(completed('untested', null), { failOnDeviation: true })).toBe(0);
    const dry: GameDayOutcome = {
      ...completed('untested', null),
      kind: 'dry-run',
      verdict: { ...completed('untested', null).verdict!, injected: false },
    };
    expect(exitStatus(dry, { failOnDeviation: true })).toBe(0);
  });

  it('keeps 1 for a failed run or a fault not confirmed stopped, and 3 for a refusal, whatever the flag', () => {
    const failOnDeviation = { failOnDeviation: true };
    expect(exitStatus({ ...completed('deviated', false), status: 'failed' }, failOnDeviation)).toBe(1);
    expect(exitStatus({ ...completed('deviated', false), faultStopped: false }, failOnDeviation)).toBe(1);
    expect(
      exitStatus({ kind: 'gameday', status: 'refused', faultStopped: true, verdict: null }, failOnDeviation),
    ).toBe(3);
  });
});
