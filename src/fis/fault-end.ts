/** One FIS action's run, in epoch ms (null: it never started, or has not ended). */
export interface ActionSpan {
  actionId: string;
  startedAt: number | null;
  endedAt: number | null;
  /** Its last status (`running`, `completed`, `failed`…); null when not known. */
  status: string | null;
}

/**
 * The actions that do nothing to the service: one holds the experiment open or spaces other
 * actions out, the other checks an alarm. (An action without targets may still act: an
 * `aws:ssm:start-automation-execution` runs a document that fails a database over.)
 */
const ACTS_ON_NOTHING = new Set(['aws:fis:wait', 'aws:cloudwatch:assert-alarm-state']);

/** Whether an action does something to the service; one faultline does not know is taken to act. */
export function injectsFault(actionId: string): boolean {
  return !ACTS_ON_NOTHING.has(actionId);
}

/**
 * Whether an action's run shows its fault put into the service: it acts on something, it ran, and
 * it did not fail. One that completed (at once, as terminate-instances, or after its duration) or
 * was stopped while it ran did its work. One that failed shows no such thing: a document that does
 * not exist, a role FIS cannot assume, an Automation whose first step cannot run; what a failed
 * action did before it failed is not in FIS's events, and a verdict must not rest on a fault
 * nothing shows was there.
 */
export function injectedFault(a: ActionSpan): boolean {
  if (a.startedAt === null || !injectsFault(a.actionId)) return false;
  return a.status !== 'failed';
}

/**
 * When the fault was injected and when it stopped: the first start and the last end of the actions
 * that injected it (injectedFault). An experiment that kills a process and then waits eight
 * minutes for the alarms and the automation to react ended its fault with the kill, not with the
 * wait. `injected` is false when no action injected anything (a dry run, an experiment that failed
 * first, one that only waits); `startedAt` and `endedAt` are null then, and `endedAt` while one
 * still runs.
 */
export function faultEndOf(actions: readonly ActionSpan[]): {
  injected: boolean;
  startedAt: number | null;
  endedAt: number | null;
} {
  const ran = actions.filter(injectedFault);
  if (ran.length === 0) return { injected: false, startedAt: null, endedAt: null };
  const startedAt = Math.min(...ran.map((a) => a.startedAt!));
  if (ran.some((a) => a.endedAt === null)) return { injected: true, startedAt, endedAt: null };
  return { injected: true, startedAt, endedAt: Math.max(...ran.map((a) => a.endedAt!)) };
}
