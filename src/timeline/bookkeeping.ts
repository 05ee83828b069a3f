/**
 * What on a timeline is the orchestration's own bookkeeping rather than news: the one rule that
 * `faultline timeline` (without `--steps`) and the report's minute-by-minute table both follow.
 * Every event stays on the timeline and in report.json's `events`; this only says which ones a
 * person reading the incident minute by minute is spared.
 *
 * News is what happened to the service (alarms, health checks, metric minutes, FIS changing it)
 * and what people and automation did about it (a template made, an experiment started or stopped,
 * a remediation's action and its end, a notification, a note). Bookkeeping is the machinery
 * saying it ran: a state-machine step starting or returning (`VerifyRecovery succeeded` means the
 * poll ran, not that the service is back), a preflight check that passed (the report and the
 * timeline's header count them), a remediation attaching to an incident, a guard letting an
 * action through. Anything that went wrong stays news: a step that failed, a check that did not
 * pass, a guard that held an action back.
 */
export function isBookkeeping(event: { kind: string; detail: Record<string, unknown> }): boolean {
  const d = event.detail;
  switch (event.kind) {
    case 'gameday.step':
      return d.status !== 'failed';
    case 'gameday.preflight':
      return d.ok === true;
    case 'remediation.attached':
      return true;
    case 'remediation.guard':
      return d.verdict === 'proceed';
    default:
      return false;
  }
}
