import { injectedFault } from '../fis/fault-end.ts';
import { roundTo } from './format.ts';
import type { Fact } from './timeline.ts';

export const TERMINAL_EXPERIMENT = new Set(['completed', 'stopped', 'failed', 'cancelled']);
export const TERMINAL_ACTION = new Set(['completed', 'stopped', 'failed', 'cancelled', 'skipped']);

/** One FIS action's run: from its first `running` to its terminal state (or the experiment's end). */
export interface ActionRun {
  experimentId: string;
  action: string;
  actionId: string;
  startedAt: number | null;
  endedAt: number | null;
  finalStatus: string;
  /** FIS's reason for its final status (why it failed, say); null when FIS gave none. */
  reason: string | null;
  /** Minutes it ran; null when it never ran. */
  runningMinutes: number | null;
  /** Still running when the timeline ends (its minutes are counted up to the last event). */
  ongoing: boolean;
  /** It put its fault into the service (src/fis/fault-end.ts injectedFault): not a wait, not one that failed as it started. */
  injected: boolean;
}

/** One state-machine step's invocations (a retry is another invocation). */
export interface StepSummary {
  step: string;
  invocations: number;
  failed: number;
  /** Sum of the invocations' measured durations. */
  measuredMs: number;
  /** Invocations without a measured duration. */
  unmeasured: number;
}

export interface Automation {
  experiment: {
    id: string | null;
    finalStatus: string | null;
    endedAt: number | null;
    reason: string | null;
  };
  /** True once no injected fault remains active (also when nothing was injected). */
  faultStopped: boolean;
  template: { templateId: string; action: string } | null;
  actions: ActionRun[];
  targets: Array<{ experimentId: string; target: string; resourceType: string; resources: string[] }>;
  steps: StepSummary[];
  stopRequests: Array<{ at: number; reason: string; code: string }>;
  failures: Array<{ at: number; error: string; cause: string | null; experimentStopped: boolean }>;
  preflight: Array<{ name: string; ok: boolean; detail: string }>;
  refusedReasons: string[] | null;
  notifications: number;
  notes: number;
}

/** What the automation did, read off the timeline in one pass. */
export function automationOf(facts: readonly Fact[]): Automation {
  const out: Automation = {
    experiment: { id: null, finalStatus: null, endedAt: null, reason: null },
    faultStopped: true,
    template: null,
    actions: [],
    targets: [],
    steps: [],
    stopRequests: [],
    failures: [],
    preflight: [],
    refusedReasons: null,
    notifications: 0,
    notes: 0,
  };
  const actions = new Map<string, ActionRun>();
  const terminalAt = new Map<string, number>();
  const invocations = new Map<string, { step: string; failed: boolean; durationMs: number | null }>();
  let emergencyStopped = false;
  for (const f of facts) {
    const t = f.typed;
    switch (t?.kind) {
      case 'fis.experiment': {
        const e = out.experiment;
        e.id ??= t.detail.experimentId;
        if (e.id !== t.detail.experimentId) break;
        // FIS never leaves a terminal state: a `running` that shares its timestamp with the
        // `completed` (an instant action) must not be read as the last word.
        if (e.finalStatus !== null && TERMINAL_EXPERIMENT.has(e.finalStatus)) break;
        e.finalStatus = t.detail.status;
        e.reason = t.detail.reason ?? null;
        if (TERMINAL_EXPERIMENT.has(t.detail.status)) e.endedAt ??= f.at;
        break;
      }
      case 'fis.action': {
        const key = `${t.detail.experimentId}\u0000${t.detail.action}`;
        let run = actions.get(key);
        if (!run) {
          run = {
            experimentId: t.detail.experimentId,
            action: t.detail.action,
            actionId: t.detail.actionId,
            startedAt: null,
            endedAt: null,
            finalStatus: t.detail.status,
            reason: null,
            runningMinutes: null,
            ongoing: false,
            injected: false,
          };
          actions.set(key, run);
        }
        // Terminal states are final, whatever order events sharing a timestamp were sorted in.
        if (TERMINAL_ACTION.has(t.detail.status)) {
          run.finalStatus = t.detail.status;
          run.reason = t.detail.reason ?? null;
          terminalAt.set(key, terminalAt.get(key) ?? f.at);
        } else if (!TERMINAL_ACTION.has(run.finalStatus)) {
          run.finalStatus = t.detail.status;
        }
        if (t.detail.status === 'running') run.startedAt ??= f.at;
        break;
      }
      case 'fis.targets':
        out.targets.push({ ...t.detail, resources: [...t.detail.resources] });
        break;
      case 'fis.template':
        out.template = { templateId: t.detail.templateId, action: t.detail.action };
        break;
      case 'gameday.step': {
        // A loop's states run once per time round, each with its own attempts.
        const key = `${t.detail.step}\u0000${t.detail.iteration ?? ''}\u0000${t.detail.attempt}`;
        const inv = invocations.get(key) ?? { step: t.detail.step, failed: false, durationMs: null };
        if (t.detail.status === 'failed') inv.failed = true;
        if (t.detail.durationMs !== undefined) inv.durationMs = t.detail.durationMs;
        invocations.set(key, inv);
        break;
      }
      case 'gameday.stop-requested':
        out.stopRequests.push({ at: f.at, reason: t.detail.reason, code: t.detail.code });
        break;
      case 'gameday.failed':
        out.failures.push({
          at: f.at,
          error: t.detail.error,
          cause: t.detail.cause ?? null,
          experimentStopped: t.detail.experimentStopped,
        });
        if (t.detail.experimentStopped) emergencyStopped = true;
        break;
      case 'gameday.preflight':
        out.preflight.push({ ...t.detail });
        break;
      case 'gameday.refused':
        out.refusedReasons = [...t.detail.reasons];
        break;
      case 'notification.sent':
        out.notifications++;
        break;
      case 'note':
        out.notes++;
        break;
    }
  }
  const lastAt = facts.length > 0 ? facts[facts.length - 1]!.at : null;
  for (const run of actions.values()) {
    const ended = terminalAt.get(`${run.experimentId}\u0000${run.action}`);
    if (run.startedAt !== null && ended !== undefined) run.endedAt = ended;
    if (run.startedAt !== null && run.endedAt === null) {
      if (out.experiment.endedAt !== null && run.experimentId === out.experiment.id)
        run.endedAt = out.experiment.endedAt;
      else {
        run.endedAt = lastAt;
        run.ongoing = true;
      }
    }
    if (run.startedAt !== null && run.endedAt !== null)
      run.runningMinutes = roundTo((run.endedAt - run.startedAt) / 60_000, 6);
    run.injected = injectedFault({ ...run, status: run.finalStatus });
    out.actions.push(run);
  }
  const steps = new Map<string, StepSummary>();
  for (const inv of invocations.values()) {
    let s = steps.get(inv.step);
    if (!s) {
      s = { step: inv.step, invocations: 0, failed: 0, measuredMs: 0, unmeasured: 0 };
      steps.set(inv.step, s);
    }
    s.invocations++;
    if (inv.failed) s.failed++;
    if (inv.durationMs === null) s.unmeasured++;
    else s.measuredMs += inv.durationMs;
  }
  out.steps = [...steps.values()];
  const { id, finalStatus } = out.experiment;
  out.faultStopped =
    id === null || (finalStatus !== null && TERMINAL_EXPERIMENT.has(finalStatus)) || emergencyStopped;
  return out;
}
