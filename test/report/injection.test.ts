import { describe, expect, it } from 'vitest';
import { injectedFault } from '../../src/fis/fault-end.ts';
import { analyse } from '../../src/report/analysis.ts';
import { renderReport } from '../../src/report/render.ts';
import { renderTerminalTimeline } from '../../src/report/terminal.ts';
import { objectiveCell } from '../../src/scorecard/document.ts';
import { runOf } from '../../src/scorecard/run.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import {
  anyEv,
  azOutageIncident,
  azOutageTimeline,
  instanceKillIncident,
  instanceKillTimeline,
  ms,
} from './fixtures.ts';

const ID = 'gd-instance-kill-1';
const EXP = 'EXPkill1';
const MISSING =
  'AutomationDefinitionNotFoundException: Document arn:aws:ssm:us-east-1:123456789012:document/x does not exist.';
const FIS_REASON = `Action impair-queue (aws:ssm:start-automation-execution) failed: ${MISSING}`;

const action = (time: string, name: string, actionId: string, status: string, reason?: string) =>
  anyEv(ID, time, `fis:action:${EXP}:${name}:${status}`, 'fis.action', {
    experimentId: EXP,
    action: name,
    actionId,
    status,
    ...(reason ? { reason } : {}),
  });
const experiment = (time: string, status: string, reason?: string) =>
  anyEv(ID, time, `fis:experiment:${EXP}:${status}`, 'fis.experiment', {
    experimentId: EXP,
    status,
    ...(reason ? { reason } : {}),
  });
/** The SSM action whose document does not exist: FIS fails it the instant it starts. */
const impairFails = (time: string) => [
  action(time, 'impair-queue', 'aws:ssm:start-automation-execution', 'running'),
  action(time, 'impair-queue', 'aws:ssm:start-automation-execution', 'failed', MISSING),
];
const isExperimentOrWait = (e: TimelineEvent) =>
  e.kind === 'fis.experiment' ||
  (e.kind === 'fis.action' && (e.detail as { action: string }).action === 'watch');

/**
 * The instance kill's world (samples, the recovery check), but its experiment's only fault is
 * the SSM action that fails as it starts; FIS then fails the experiment and cancels the wait.
 */
function nothingInjected(): TimelineEvent[] {
  return [
    ...instanceKillTimeline({ remediation: false }).filter(
      (e) =>
        !isExperimentOrWait(e) &&
        !(e.kind === 'fis.action' && (e.detail as { action: string }).action === 'process-dies') &&
        e.kind !== 'alarm.state',
    ),
    experiment('09:00:00', 'pending'),
    experiment('09:00:03', 'running'),
    ...impairFails('09:00:03'),
    experiment('09:00:03', 'failed', FIS_REASON),
    action(
      '09:01:00',
      'watch',
      'aws:fis:wait',
      'cancelled',
      'The experiment ended before the action started.',
    ),
  ];
}

/** The instance kill, with a second action that fails as it starts, failing the experiment (FIS's reason given). */
function partlyInjected(experimentReason: string): TimelineEvent[] {
  return [
    ...instanceKillTimeline().filter((e) => !isExperimentOrWait(e)),
    experiment('09:00:00', 'pending'),
    experiment('09:00:03', 'running'),
    ...impairFails('09:00:03'),
    experiment('09:00:03', 'failed', experimentReason),
  ];
}

const summaryOf = (markdown: string) => markdown.split('## Summary')[1]!.split('\n## ')[0]!;

describe('what an FIS action injected', () => {
  const span = { actionId: 'aws:ssm:start-automation-execution', startedAt: 1000 };
  it('is nothing when it failed, at once or after running, and its fault when it ran without failing', () => {
    expect(injectedFault({ ...span, endedAt: 1000, status: 'failed' })).toBe(false);
    // An Automation whose Python step cannot run fails a while after it starts: nothing shows a fault.
    expect(injectedFault({ ...span, endedAt: 61_000, status: 'failed' })).toBe(false);
    expect(injectedFault({ ...span, endedAt: 61_000, status: 'stopped' })).toBe(true);
    expect(injectedFault({ ...span, endedAt: null, status: 'running' })).toBe(true);
    // terminate-instances, stop-task: the whole fault in one instant.
    expect(
      injectedFault({ ...span, actionId: 'aws:ec2:terminate-instances', endedAt: 1000, status: 'completed' }),
    ).toBe(true);
    expect(injectedFault({ ...span, actionId: 'aws:fis:wait', endedAt: 61_000, status: 'completed' })).toBe(
      false,
    );
    expect(injectedFault({ ...span, startedAt: null, endedAt: null, status: 'cancelled' })).toBe(false);
  });
});

describe('a game day whose only fault ran a while and then failed', () => {
  // The library's Automation documents: the execution starts, its first (Python) step cannot run.
  const events = nothingInjected().map((e) =>
    e.kind === 'fis.action' && (e.detail as { status: string }).status === 'failed'
      ? { ...e, occurredAt: '2026-01-06T09:00:33.000Z' }
      : e,
  );
  const a = analyse(instanceKillIncident({ closedAt: '2026-01-06T09:11:00.000Z' }), events);

  it('is untested, not held: a failed action shows no fault put in', () => {
    expect(a.injection).toMatchObject({
      injected: false,
      none: 'every action that acts on the service failed, and a failed action shows no fault put in',
    });
    expect(a.hypothesis.verdict).toBe('untested');
    expect(a.objectives.rto.met).toBeNull();
  });
});

describe('a game day whose only fault failed as it started', () => {
  const incident = instanceKillIncident({ closedAt: '2026-01-06T09:11:00.000Z' });
  const a = analyse(incident, nothingInjected());
  const r = renderReport(incident, nothingInjected());

  it('injected nothing: no impact, the hypothesis untested, the RTO not judged', () => {
    expect(a.injection).toMatchObject({
      injected: false,
      start: null,
      none: 'the experiment failed before injecting anything',
    });
    expect(a.moments.find((m) => m.name === 'impactStarted')!.at).toBeNull();
    expect(a.impact).toBeNull();
    expect(a.faultWindow).toBeNull();
    expect(a.hypothesis).toMatchObject({
      verdict: 'untested',
      reasons: ['nothing was injected (the experiment failed before injecting anything)'],
    });
    expect(a.objectives.rto).toMatchObject({
      objectiveSeconds: 600,
      met: null,
      note: 'nothing was injected',
    });
    expect(r.verdict).toEqual({
      hypothesis: 'untested',
      injected: false,
      rto: { objectiveSeconds: 600, achievedSeconds: null, met: null },
      faultStopped: true,
      experiment: { id: EXP, finalStatus: 'failed', reason: FIS_REASON },
    });
    const json = JSON.parse(r.json);
    expect(
      json.automation.actions.find((x: { action: string }) => x.action === 'impair-queue'),
    ).toMatchObject({
      finalStatus: 'failed',
      reason: MISSING,
      injected: false,
      runningMinutes: 0,
    });
  });

  it('says so, and why, wherever the verdict is written', () => {
    expect(summaryOf(r.markdown)).toBe(
      '\n\n**Users of checkout saw nothing: the experiment failed before injecting anything.**\n\n' +
        'The instance-kill game day on checkout injected nothing: the experiment failed before injecting anything. ' +
        `Experiment ${EXP} ended failed at 09:00:03: ${FIS_REASON} ` +
        'The steady-state hypothesis was not tested: nothing was injected (the experiment failed before injecting anything). ' +
        'RTO not measured: nothing was injected.\n',
    );
    expect(r.markdown).toContain(
      '| Severity | to set: nothing was injected (the experiment failed before injecting anything) |',
    );
    expect(r.markdown).toContain('## Impact\n\nNone: the experiment failed before injecting anything.\n');
    expect(r.markdown).toContain(
      '| RTO | 10 min | – (nothing was injected) | not measured (nothing was injected) |',
    );
    const terminal = renderTerminalTimeline(incident, nothingInjected());
    expect(terminal).toContain('Key moments: none (the experiment failed before injecting anything).');
    expect(terminal).toContain('Verdict: hypothesis not tested · RTO not measured (nothing was injected)');
  });

  it('is a game day that did not pass on the scorecard, never a held one', () => {
    expect(runOf(a)).toMatchObject({
      kind: 'gameday',
      passed: false,
      hypothesis: 'untested',
      reasons: ['nothing was injected: the experiment failed before injecting anything'],
      impact: null,
    });
    // Its RTO was not judged: not "not recovered".
    expect(objectiveCell(runOf(a)!.rto, 'RTO')).toBe('not measured (10 min)');
  });
});

describe('a game day whose second fault failed as it started', () => {
  const incident = instanceKillIncident();
  const whole = analyse(incident, instanceKillTimeline());

  it('keeps the verdict of what was injected', () => {
    const a = analyse(incident, partlyInjected(FIS_REASON));
    expect(a.injection.injected).toBe(true);
    expect(a.moments.find((m) => m.name === 'impactStarted')).toMatchObject({
      at: ms('09:00:03'),
      eventId: `fis:action:${EXP}:process-dies:running`,
    });
    expect(a.hypothesis.verdict).toBe(whole.hypothesis.verdict);
    expect(a.objectives.rto).toEqual(whole.objectives.rto);
    expect(a.objectives.rto.met).toBe(true);
  });

  it('names the failed action and its reason once, in one line', () => {
    const said = summaryOf(renderReport(incident, partlyInjected(FIS_REASON)).markdown);
    expect(said).toContain(
      'The instance-kill game day injected process-dies (aws:ssm:send-command) into checkout at 09:00:03',
    );
    expect(said).toContain(`Experiment ${EXP} ended failed at 09:00:03: ${FIS_REASON} `);
    expect(said.split(MISSING)).toHaveLength(2);
    // FIS's reason that does not name the action: the summary does.
    const vague = summaryOf(renderReport(incident, partlyInjected('An action failed.\n')).markdown);
    expect(vague).toContain(
      `Experiment ${EXP} ended failed at 09:00:03: An action failed. ` +
        `Action impair-queue (aws:ssm:start-automation-execution) failed at 09:00:03 as it started, injecting nothing: ${MISSING}`,
    );
  });
});

describe('a database failover that failed as it started', () => {
  it('failed nothing over: no RPO is measured from it', () => {
    const failover = 'fis:action:EXP4z9kPq2:failover-database:completed';
    const events = azOutageTimeline().map((e) =>
      e.eventId === failover
        ? {
            ...e,
            eventId: 'fis:action:EXP4z9kPq2:failover-database:failed',
            occurredAt: '2026-01-06T09:00:10.000Z',
            detail: { ...e.detail, status: 'failed', reason: 'InvalidDBClusterStateFault' },
          }
        : e,
    );
    expect(analyse(azOutageIncident(), azOutageTimeline()).objectives.rpo.failoverAt).toBe(ms('09:00:10'));
    const { rpo } = analyse(azOutageIncident(), events).objectives;
    expect(rpo).toMatchObject({ failoverAt: null, achievedSeconds: null, note: 'no failover recorded' });
  });
});

describe('a game day whose experiment only waits', () => {
  it('injected nothing: a wait holds the experiment open, it is not a fault', () => {
    const events = instanceKillTimeline({ remediation: false }).filter(
      (e) => !(e.kind === 'fis.action' && (e.detail as { action: string }).action === 'process-dies'),
    );
    const a = analyse(instanceKillIncident(), events);
    expect(a.injection).toMatchObject({
      injected: false,
      none: 'none of its actions acts on the service (a wait or an alarm check only)',
    });
    expect(a.hypothesis.verdict).toBe('untested');
    expect(a.objectives.rto.met).toBeNull();
  });
});
