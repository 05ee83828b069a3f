import { formatDuration } from './format.ts';
import type { RemediationRun } from './remediations.ts';

/**
 * How a remediation reads to a person, for the report's section (document.ts) and the terminal's
 * timeline (terminal.ts). `time` shows an instant in the report's zone.
 */
type Show = (ms: number) => string;

const dur = (s: number | null) => (s === null ? '–' : formatDuration(s));

export function triggerText(r: RemediationRun, time: Show): string {
  const t = r.trigger;
  const what =
    t.name === null ? 'an event' : `${t.kind ?? 'event'} ${t.name}${t.state ? ` → ${t.state}` : ''}`;
  return t.at === null ? what : `${what} at ${time(t.at)}`;
}

/** What it did, by which id, and how that ended; one line each. */
export function actionLines(r: RemediationRun, time: Show): string[] {
  const a = r.action;
  const what =
    a.kind === 'failover'
      ? `Route 53 failover${a.target ? ` of ${a.target}` : ''}`
      : `SSM Automation${a.target ? ` ${a.target}` : ''}`;
  if (a.outcome === 'dry-run') return [`dry run: would have started ${what}`];
  if (a.outcome === 'refused') return [`${what} not started: ${a.reason ?? 'refused'}`];
  if (a.outcome !== 'started') return [a.kind === null ? 'none' : `${what}: not started`];
  const id = a.kind === 'failover' ? `change ${a.changeId ?? '?'}` : `execution ${a.executionId ?? '?'}`;
  const end =
    a.endedAt !== null
      ? `${a.finalStatus} at ${time(a.endedAt)}`
      : a.finalStatus
        ? `last seen ${a.finalStatus}`
        : 'no status seen';
  return [`${what} at ${a.startedAt === null ? '?' : time(a.startedAt)}`, id, end];
}

export function approvalLines(r: RemediationRun, time: Show): string[] {
  const ap = r.approval;
  if (!ap) return ['not required'];
  const asked = `requested at ${time(ap.requestedAt)}`;
  const waited = ap.waitedSeconds === null ? '' : ` (waited ${formatDuration(ap.waitedSeconds)})`;
  const at = ap.answeredAt === null ? '' : ` at ${time(ap.answeredAt)}`;
  switch (ap.answer) {
    case 'approved':
      return [
        asked,
        `approved by ${ap.by ?? 'someone (not recorded)'}${at}${waited}${ap.text ? `: ${ap.text}` : ''}`,
      ];
    case 'rejected':
      return [asked, `rejected${ap.by ? ` by ${ap.by}` : ''}${at}${waited}${ap.text ? `: ${ap.text}` : ''}`];
    case 'timed-out':
      return [asked, `no answer: timed out${at}${waited}`];
    case 'pending':
      return [asked, `no answer yet${ap.expiresAt === null ? '' : ` (expires ${time(ap.expiresAt)})`}`];
  }
}

export function guardText(r: RemediationRun): string {
  const g = r.guard;
  if (!g) return '–';
  if (g.verdict === 'proceed') return g.trial ? "let through as the circuit breaker's trial" : 'passed';
  return `${g.verdict === 'kill-switch' ? 'kill switch' : g.verdict}: ${g.reason}`;
}

const OUTCOME_WORDS: Record<RemediationRun['outcome'], string> = {
  resolved: 'resolved',
  escalated: 'escalated to a person',
  failed: 'FAILED',
  'dry-run': 'dry run (nothing done)',
  'held-back': 'held back (nothing done)',
  rejected: 'not approved (nothing done)',
  duplicate: 'duplicate (nothing done)',
  'not-matched': 'no runbook (nothing done)',
  'in-progress': 'in progress',
};

export function outcomeText(r: RemediationRun, time: Show): string {
  const at = r.outcomeAt === null ? '' : ` at ${time(r.outcomeAt)}`;
  const why = r.reason && r.outcome !== 'held-back' && r.outcome !== 'dry-run' ? `: ${r.reason}` : '';
  return `${OUTCOME_WORDS[r.outcome]}${at}${why}`;
}

/** The four durations as table cells: trigger → action, action ran, action → recovered, total. */
export function durationCells(r: RemediationRun): string[] {
  const d = r.durations;
  return [
    dur(d.triggerToActionSeconds),
    dur(d.actionSeconds),
    dur(d.actionToRecoveredSeconds),
    dur(d.totalSeconds),
  ];
}

export const DURATION_DEFINITIONS =
  "Trigger → action: the alarm transition (or event) → the action started. Action ran: started → ended (the SSM execution's own end time; a Route 53 change is first seen INSYNC, polled every 15 s). " +
  'Action → recovered: started → the triggering alarm back to OK (or, when that is not on the timeline, the verification that passed; checked every 30 s). Total: trigger → the outcome.';

/** One line, e.g. `az-capacity, on alarm … → ALARM at 09:02:05: SSM Automation … started 0 s later; resolved at 09:04:20 (total 2 min 15 s)`. */
export function remediationLine(r: RemediationRun, time: Show): string {
  const d = r.durations;
  const started =
    r.action.outcome === 'started' && d.triggerToActionSeconds !== null
      ? `${actionLines(r, time)[0]!.replace(/ at [^ ]+$/, '')} started ${formatDuration(d.triggerToActionSeconds)} later; `
      : '';
  return (
    `${r.runbook ?? r.remediationId}, on ${triggerText(r, time)}: ${started}${outcomeText(r, time)}` +
    (d.totalSeconds === null ? '' : ` (total ${formatDuration(d.totalSeconds)})`)
  );
}
