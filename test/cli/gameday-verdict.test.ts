import { describe, expect, it } from 'vitest';
import { type GameDaySummary, printVerdict } from '../../cli/actions/gameday.ts';

const REASON =
  'Action impairSqs2m (aws:ssm:start-automation-execution) failed: AutomationDefinitionNotFoundException: Document x does not exist.';

function printed(summary: Partial<GameDaySummary>): string[] {
  const lines: string[] = [];
  printVerdict(
    {
      incidentId: 'sqs-20260105T1100Z',
      kind: 'gameday',
      status: 'completed',
      verdict: null,
      experiment: { id: 'EXP1', finalStatus: 'completed', reason: 'Experiment completed.' },
      faultStopped: true,
      reports: null,
      remediations: [],
      execution: { arn: 'arn', status: 'SUCCEEDED' },
      ...summary,
    },
    { out: (line: string) => lines.push(line), color: false },
  );
  return lines;
}

describe("faultline gameday's verdict lines", () => {
  it('say a game day injected nothing, judge no RTO, and give FIS’s reason for the failure on one line', () => {
    expect(
      printed({
        verdict: {
          hypothesis: 'untested',
          injected: false,
          rto: { objectiveSeconds: 900, achievedSeconds: null, met: null },
        },
        experiment: { id: 'EXP1', finalStatus: 'failed', reason: `${REASON}\n` },
      }),
    ).toEqual([
      '',
      'Verdict: nothing injected · hypothesis UNTESTED · RTO 15m00s: not measured (nothing was injected) · fault stopped: yes',
      `Experiment EXP1: failed: ${REASON}`,
    ]);
  });

  it('keep a completed experiment’s line as it was: its reason says nothing more', () => {
    expect(
      printed({
        verdict: {
          hypothesis: 'held',
          injected: true,
          rto: { objectiveSeconds: 900, achievedSeconds: 117, met: true },
        },
      }),
    ).toEqual([
      '',
      'Verdict: hypothesis HELD · RTO 15m00s: met (recovered in 1m57s) · fault stopped: yes',
      'Experiment EXP1: completed',
    ]);
  });

  it('say which stop condition stopped the experiment', () => {
    const stop =
      'Experiment stopped by stop condition: the alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-availability-critical entered ALARM.';
    expect(printed({ experiment: { id: 'EXP1', finalStatus: 'stopped', reason: stop } })).toContain(
      `Experiment EXP1: stopped: ${stop}`,
    );
  });
});
