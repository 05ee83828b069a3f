/** One FIS action's run, in epoch ms (null: it never started, or has not ended). */
export interface ActionSpan {
  actionId: string;
  startedAt: number | null;
  endedAt: number | null;
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
 * When the fault stopped being injected: the end of the last action that ran and acts on
 * something. An experiment that kills a process and then waits eight minutes for the alarms and
 * the automation to react ended its fault with the kill, not with the wait. `injected` is false
 * when no such action ran (a dry run, or an experiment that failed first); `endedAt` is null then,
 * or while one still runs.
 */
export function faultEndOf(actions: readonly ActionSpan[]): { injected: boolean; endedAt: number | null } {
  const ran = actions.filter((a) => a.startedAt !== null && injectsFault(a.actionId));
  if (ran.length === 0) return { injected: false, endedAt: null };
  if (ran.some((a) => a.endedAt === null)) return { injected: true, endedAt: null };
  return { injected: true, endedAt: Math.max(...ran.map((a) => a.endedAt!)) };
}
