import { injectsFault } from '../fis/fault-end.ts';
import type { Incident } from '../timeline/event.ts';
import type { ReportFacts } from './attributes.ts';
import type { Automation } from './automation.ts';
import type { Fact } from './timeline.ts';

/** An FIS action that failed, with FIS's reason. */
export interface FailedAction {
  action: string;
  actionId: string;
  at: number;
  reason: string | null;
  /** Always false: a failed action shows no fault put in (src/fis/fault-end.ts injectedFault). */
  injected: boolean;
}

/**
 * Whether a game day put its fault into the service, read off its actions' events (the one place
 * every output takes it from): when it started, or why nothing was.
 */
export interface Injection {
  /** False when a game day injected nothing (or its timeline shows nothing yet); true for an incident, whose impact came from elsewhere. */
  injected: boolean;
  /** The event that shows the fault injected: the first `running` of an action that injected; null when nothing was. */
  start: Fact | null;
  /**
   * Why nothing was injected, as a clause ("a dry run injects nothing"); null when something was,
   * for an incident, and for a timeline that shows nothing yet (no evidence either way).
   */
  none: string | null;
  /** The actions that failed, in the order they did, with FIS's reasons. */
  failed: FailedAction[];
}

/**
 * What the game day injected. An action injected when it acts on something and ran
 * (src/fis/fault-end.ts injectedFault): one that failed at the instant it started did not. A
 * timeline that shows no action at all (an experiment told only by its own states) counts the
 * experiment's `running`.
 */
export function injectionOf(
  incident: Incident,
  attrs: ReportFacts,
  facts: readonly Fact[],
  automation: Automation,
): Injection {
  const key = (experimentId: string, action: string) => `${experimentId}\u0000${action}`;
  const runs = new Map(automation.actions.map((a) => [key(a.experimentId, a.action), a]));
  // Each from its `failed` event (one that never ran has no end in its run).
  const failed: FailedAction[] = [];
  const seen = new Set<string>();
  for (const f of facts) {
    const t = f.typed;
    if (t?.kind !== 'fis.action' || t.detail.status !== 'failed') continue;
    const k = key(t.detail.experimentId, t.detail.action);
    if (seen.has(k)) continue;
    seen.add(k);
    failed.push({
      action: t.detail.action,
      actionId: t.detail.actionId,
      at: f.at,
      reason: t.detail.reason ?? null,
      injected: runs.get(k)?.injected ?? false,
    });
  }
  if (incident.kind !== 'gameday') return { injected: true, start: null, none: null, failed };
  const running = (f: Fact) =>
    automation.actions.length === 0
      ? f.typed?.kind === 'fis.experiment' && f.typed.detail.status === 'running'
      : f.typed?.kind === 'fis.action' &&
        f.typed.detail.status === 'running' &&
        runs.get(key(f.typed.detail.experimentId, f.typed.detail.action))?.injected === true;
  const start = attrs.dryRun ? null : (facts.find(running) ?? null);
  const none = start || facts.length === 0 ? null : notInjected(attrs, automation);
  return { injected: start !== null, start, none, failed };
}

function notInjected(attrs: ReportFacts, automation: Automation): string {
  if (attrs.dryRun) return 'a dry run injects nothing';
  if (automation.refusedReasons) return 'the game day was refused before anything was injected';
  const { finalStatus } = automation.experiment;
  const failedAfterStarting = automation.actions.some(
    (a) => injectsFault(a.actionId) && a.finalStatus === 'failed' && a.startedAt !== a.endedAt,
  );
  if (failedAfterStarting)
    return 'every action that acts on the service failed, and a failed action shows no fault put in';
  if (finalStatus === 'failed' || finalStatus === 'stopped' || finalStatus === 'cancelled')
    return `the experiment ${finalStatus === 'cancelled' ? 'was cancelled' : finalStatus} before injecting anything`;
  if (automation.actions.length > 0 && !automation.actions.some((a) => injectsFault(a.actionId)))
    return 'none of its actions acts on the service (a wait or an alarm check only)';
  // Still under way (a report rendered mid-run), or a timeline that lost the action's start.
  return 'no FIS action that acts on the service was recorded running';
}
