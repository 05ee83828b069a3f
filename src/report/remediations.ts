import { SSM_FAILED, SSM_SUCCEEDED } from '../remediation/ssm-status.ts';
import type { RemediationEventKinds } from '../timeline/kinds.ts';
import * as z from '../zod.ts';
import { type ReportFacts, recordedSubject } from './attributes.ts';
import type { Fact } from './timeline.ts';

/**
 * How a remediation ended, as the report tells it. `rejected` covers an approval that timed out
 * (the flow treats no answer as a rejection; `approval.answer` tells them apart); `held-back` covers
 * the kill switch, the circuit breaker, the limits and a refusal at the last moment.
 */
export const REMEDIATION_OUTCOMES = [
  'resolved',
  'escalated',
  'failed',
  'dry-run',
  'held-back',
  'rejected',
  'duplicate',
  'not-matched',
  'in-progress',
] as const;
export type RemediationOutcome = (typeof REMEDIATION_OUTCOMES)[number];

export interface RemediationApproval {
  requestedAt: number;
  /** When the token stops answering; null when the request event is not on the timeline. */
  expiresAt: number | null;
  answer: 'approved' | 'rejected' | 'timed-out' | 'pending';
  answeredAt: number | null;
  /** Who answered; null for a timeout, or an answer given without `faultline approve|reject`. */
  by: string | null;
  /** The approver's note or the rejection's reason. */
  text: string | null;
  /** Requested → answered (or timed out). */
  waitedSeconds: number | null;
}

export interface RemediationRun {
  remediationId: string;
  runbook: string | null;
  /** What started it: the alarm transition or the experiment state change. */
  trigger: {
    kind: 'alarm' | 'experiment' | null;
    name: string | null;
    state: string | null;
    /** The transition's time when known, else when triage saw it. */
    at: number | null;
    /** The EventBridge event's id. */
    eventId: string | null;
  };
  triagedAt: number | null;
  resource: string | null;
  guard: {
    at: number;
    verdict: RemediationEventKinds['remediation.guard']['verdict'];
    reason: string;
    trial: boolean;
  } | null;
  approval: RemediationApproval | null;
  action: {
    kind: 'automation' | 'failover' | null;
    /** SSM Automation document, or the Route 53 record failed over. */
    target: string | null;
    executionId: string | null;
    changeId: string | null;
    outcome: 'started' | 'refused' | 'dry-run' | null;
    startedAt: number | null;
    /** When it ended: the SSM execution's end time; a Route 53 change when first seen INSYNC (polled, so up to a poll late). */
    endedAt: number | null;
    finalStatus: string | null;
    reason: string | null;
  };
  verification: {
    at: number;
    verified: boolean;
    deadline: string;
    pending: string[];
    /** The triggering alarm back to OK after the action (or the verification itself when not seen). */
    recoveredAt: number | null;
  } | null;
  outcome: RemediationOutcome;
  outcomeAt: number | null;
  reason: string | null;
  durations: {
    triggerToActionSeconds: number | null;
    actionSeconds: number | null;
    actionToRecoveredSeconds: number | null;
    totalSeconds: number | null;
  };
}

export interface Remediations {
  /** Every remediation on the timeline, in the order they were triaged (duplicates and unmatched events included). */
  runs: RemediationRun[];
  /** How many of `runs` are duplicates, unmatched events, and the rest. */
  counts: { duplicates: number; notMatched: number; acted: number };
}

/** What the SSM Automation statuses mean once an execution is over (GetAutomationExecution). */
const SSM_TERMINAL = new Set([...SSM_SUCCEEDED, ...SSM_FAILED]);

/**
 * What the flow writes on its triage beyond kinds.ts (AttachIncident adds them); read leniently,
 * as they are not part of the declared detail. `subject` is read when a writer adds it.
 */
const triageExtras = z.object({
  resource: z.optional(z.string()),
  action: z.optional(
    z.union([
      z.looseObject({ kind: z.literal('automation'), document: z.string() }),
      z.looseObject({ kind: z.literal('failover'), record: z.string() }),
    ]),
  ),
  subject: z.optional(recordedSubject),
});

/** `alarm checkout-5xx-rate went to ALARM: runbook …`, the summary AttachIncident writes. */
const TRIAGE_SUMMARY = /^(alarm|experiment) (\S+) went to (\S+?):/;

interface Building {
  run: RemediationRun;
  /** The newest approval request's token, and what was answered to it. */
  token: string | null;
  denial: { at: number; status: 'rejected' | 'timed-out'; reason: string | null } | null;
  subjectAt: number | null;
  /** Triage matched no runbook. */
  unmatched: boolean;
  /** When the action step recorded its outcome (a dry run and a refusal have no start). */
  actedAt: number | null;
  resolvedAt: number | null;
  escalated: { at: number; reason: string } | null;
  failed: { at: number; text: string } | null;
}

/**
 * Each remediation on the timeline, from its facts: what triggered it, the guard's verdict, the
 * approval (linked to `faultline approve|reject`'s answer through the task token), the action and
 * its SSM or Route 53 statuses, the verification, the outcome and the durations between them.
 * Pure, and independent of the order facts sharing an instant were sorted in.
 */
export function remediationsOf(facts: readonly Fact[], attrs: ReportFacts): Remediations {
  const runs = new Map<string, Building>();
  const byToken = new Map<string, Building>();
  const requests = new Map<string, { token: string; expiresAt: number | null }>();
  const expiries = new Map<string, number | null>();
  const answers: Fact[] = [];
  const statuses = new Map<string, Array<{ at: number; status: string }>>();
  const alarmsOk = new Map<string, number[]>();
  const alarmsTo = new Map<string, Array<{ at: number; state: string }>>();

  const ensure = (remediationId: string, runbook: string | undefined): Building => {
    let b = runs.get(remediationId);
    if (!b) {
      b = {
        run: emptyRun(remediationId),
        token: null,
        denial: null,
        subjectAt: null,
        unmatched: false,
        actedAt: null,
        resolvedAt: null,
        escalated: null,
        failed: null,
      };
      runs.set(remediationId, b);
    }
    if (runbook !== undefined) b.run.runbook ??= runbook;
    return b;
  };

  for (const f of facts) {
    const t = f.typed;
    switch (t?.kind) {
      case 'remediation.triage': {
        const b = ensure(t.detail.remediationId, t.detail.runbook);
        const r = b.run;
        r.triagedAt ??= f.at;
        r.trigger.eventId = t.detail.eventId ?? null;
        if (!t.detail.matched) {
          b.unmatched = true;
          r.reason = t.detail.reason ?? null;
          break;
        }
        const extras = triageExtras.safeParse(f.event.detail);
        const x = extras.success ? extras.data : {};
        r.resource = x.resource ?? null;
        if (x.action) {
          r.action.kind = x.action.kind;
          r.action.target = x.action.kind === 'automation' ? x.action.document : x.action.record;
        }
        const subject = x.subject ?? subjectFromSummary(f.event.summary) ?? attrs.subject;
        if (subject) {
          r.trigger.kind = subject.kind;
          r.trigger.name = subject.name;
          r.trigger.state = subject.state;
          // The incident a remediation opened states its transition's time; a game day's does not.
          const same = attrs.subject?.name === subject.name && attrs.subject.state === subject.state;
          b.subjectAt = x.subject ? timeOf(x.subject.at) : same ? attrs.subject!.at : null;
        }
        break;
      }
      case 'remediation.guard': {
        const r = ensure(t.detail.remediationId, t.detail.runbook).run;
        r.guard = {
          at: f.at,
          verdict: t.detail.verdict,
          reason: t.detail.reason,
          trial: t.detail.trial ?? false,
        };
        break;
      }
      case 'remediation.approval': {
        const b = ensure(t.detail.remediationId, t.detail.runbook);
        if (t.detail.status === 'requested') {
          // A retried request waits on a new token: the newest counts.
          if (!b.run.approval || f.at >= b.run.approval.requestedAt) {
            b.run.approval = {
              requestedAt: f.at,
              expiresAt: null,
              answer: 'pending',
              answeredAt: null,
              by: null,
              text: null,
              waitedSeconds: null,
            };
            b.token = t.detail.taskToken ?? null;
            if (b.token !== null) byToken.set(b.token, b);
          }
        } else {
          b.denial = { at: f.at, status: t.detail.status, reason: t.detail.reason ?? null };
        }
        break;
      }
      case 'remediation.action': {
        const b = ensure(t.detail.remediationId, t.detail.runbook);
        b.actedAt = f.at;
        const a = b.run.action;
        a.kind = t.detail.action;
        a.outcome = t.detail.outcome;
        a.reason = t.detail.reason ?? null;
        if (t.detail.outcome === 'started') {
          a.startedAt = f.at;
          a.executionId = t.detail.executionId ?? null;
          a.changeId = t.detail.changeId ?? null;
        }
        break;
      }
      case 'remediation.verify': {
        const r = ensure(t.detail.remediationId, t.detail.runbook).run;
        r.verification = {
          at: f.at,
          verified: t.detail.verified,
          deadline: t.detail.deadline,
          pending: [...t.detail.pending],
          recoveredAt: null,
        };
        break;
      }
      case 'remediation.resolved':
        ensure(t.detail.remediationId, t.detail.runbook).resolvedAt = f.at;
        break;
      case 'remediation.escalated':
        ensure(t.detail.remediationId, t.detail.runbook).escalated = { at: f.at, reason: t.detail.reason };
        break;
      case 'remediation.failed':
        ensure(t.detail.remediationId, t.detail.runbook).failed = {
          at: f.at,
          text: t.detail.cause ? `${t.detail.error}: ${t.detail.cause}` : t.detail.error,
        };
        break;
      case 'approval.requested':
        requests.set(f.event.eventId, { token: t.detail.taskToken, expiresAt: timeOf(t.detail.expiresAt) });
        expiries.set(t.detail.taskToken, timeOf(t.detail.expiresAt));
        break;
      case 'approval.given':
      case 'approval.rejected':
        answers.push(f);
        break;
      case 'ssm.automation':
        push(statuses, `ssm\u0000${t.detail.executionId}`, { at: f.at, status: t.detail.status });
        break;
      case 'route53.change':
        push(statuses, `route53\u0000${t.detail.changeId}`, { at: f.at, status: t.detail.status });
        break;
      case 'alarm.state':
        push(alarmsTo, t.detail.alarm, { at: f.at, state: t.detail.to });
        if (t.detail.to === 'OK') push(alarmsOk, t.detail.alarm, f.at);
        break;
    }
  }

  // A person's answer names its request; the request names the token the remediation waited on.
  const answerOf = new Map<Building, Fact>();
  for (const f of answers) {
    const t = f.typed;
    if (t?.kind !== 'approval.given' && t?.kind !== 'approval.rejected') continue;
    const request = requests.get(t.detail.requestEventId);
    const b = request && byToken.get(request.token);
    if (b && b.token === request.token) answerOf.set(b, f);
  }
  for (const b of runs.values()) {
    if (b.token !== null && b.run.approval) b.run.approval.expiresAt = expiries.get(b.token) ?? null;
    finish(b, answerOf.get(b), statuses, alarmsTo, alarmsOk);
  }

  const list = [...runs.values()].map((b) => b.run);
  list.sort((a, b) => (a.triagedAt ?? Infinity) - (b.triagedAt ?? Infinity));
  const duplicates = list.filter((r) => r.outcome === 'duplicate').length;
  const notMatched = list.filter((r) => r.outcome === 'not-matched').length;
  return { runs: list, counts: { duplicates, notMatched, acted: list.length - duplicates - notMatched } };
}

function emptyRun(remediationId: string): RemediationRun {
  return {
    remediationId,
    runbook: null,
    trigger: { kind: null, name: null, state: null, at: null, eventId: null },
    triagedAt: null,
    resource: null,
    guard: null,
    approval: null,
    action: {
      kind: null,
      target: null,
      executionId: null,
      changeId: null,
      outcome: null,
      startedAt: null,
      endedAt: null,
      finalStatus: null,
      reason: null,
    },
    verification: null,
    outcome: 'in-progress',
    outcomeAt: null,
    reason: null,
    durations: {
      triggerToActionSeconds: null,
      actionSeconds: null,
      actionToRecoveredSeconds: null,
      totalSeconds: null,
    },
  };
}

function finish(
  b: Building,
  answer: Fact | undefined,
  statuses: Map<string, Array<{ at: number; status: string }>>,
  alarmsTo: Map<string, Array<{ at: number; state: string }>>,
  alarmsOk: Map<string, number[]>,
): void {
  const r = b.run;
  const a = r.action;

  // The trigger's time: the transition as the event stated it, else the alarm's transition on this
  // timeline, else when triage saw it. A stated time after triage is not believed.
  const seen = r.triagedAt;
  let at = b.subjectAt !== null && (seen === null || b.subjectAt <= seen) ? b.subjectAt : null;
  if (at === null && r.trigger.kind === 'alarm' && r.trigger.name !== null && seen !== null) {
    const to = (alarmsTo.get(r.trigger.name) ?? []).filter(
      (x) => x.state === r.trigger.state && x.at <= seen,
    );
    at = to.at(-1)?.at ?? null;
  }
  r.trigger.at = at ?? seen;

  const key =
    a.executionId !== null
      ? `ssm\u0000${a.executionId}`
      : a.changeId !== null
        ? `route53\u0000${a.changeId}`
        : null;
  const seenStatuses = key === null ? [] : (statuses.get(key) ?? []);
  const terminal = seenStatuses.find((s) => SSM_TERMINAL.has(s.status) || s.status === 'INSYNC');
  a.finalStatus = terminal?.status ?? seenStatuses.at(-1)?.status ?? null;
  a.endedAt = terminal?.at ?? null;

  if (r.approval) approvalAnswer(r.approval, b, answer);

  const v = r.verification;
  if (v?.verified && a.startedAt !== null) {
    const start = a.startedAt;
    const ok =
      r.trigger.kind === 'alarm' && r.trigger.name !== null
        ? (alarmsOk.get(r.trigger.name) ?? []).find((t) => t >= start && t <= v.at)
        : undefined;
    v.recoveredAt = ok ?? v.at;
  }

  [r.outcome, r.outcomeAt, r.reason] = outcomeOf(b);

  const since = (from: number | null, to: number | null) =>
    from === null || to === null || to < from ? null : (to - from) / 1000;
  const terminalOutcome =
    r.outcome !== 'in-progress' && r.outcome !== 'duplicate' && r.outcome !== 'not-matched';
  r.durations = {
    triggerToActionSeconds: since(r.trigger.at, a.startedAt),
    actionSeconds: since(a.startedAt, a.endedAt),
    actionToRecoveredSeconds: since(a.startedAt, v?.recoveredAt ?? null),
    totalSeconds: terminalOutcome ? since(r.trigger.at, r.outcomeAt) : null,
  };
}

function approvalAnswer(ap: RemediationApproval, b: Building, answer: Fact | undefined): void {
  const t = answer?.typed;
  if (b.denial) {
    ap.answer = b.denial.status;
    ap.answeredAt = b.denial.at;
    ap.text = b.denial.reason;
  } else if (t?.kind === 'approval.given') {
    ap.answer = 'approved';
    ap.answeredAt = answer!.at;
    ap.text = t.detail.note ?? null;
  } else if (b.actedAt !== null) {
    // The action step ran, so the answer was yes, given without `faultline approve` (no event).
    ap.answer = 'approved';
    ap.answeredAt = b.actedAt;
  }
  if (t?.kind === 'approval.given' || t?.kind === 'approval.rejected') ap.by = t.detail.by;
  // The person's own words: the flow's record of a rejection carries them inside `rejected by <who>: …`.
  if (t?.kind === 'approval.rejected') ap.text = t.detail.reason ?? ap.text;
  if (ap.answeredAt !== null && ap.answeredAt >= ap.requestedAt)
    ap.waitedSeconds = (ap.answeredAt - ap.requestedAt) / 1000;
}

/** The outcome, when and why, from the last word each step had: a failure, then the verdicts, in the flow's order. */
function outcomeOf(b: Building): [RemediationOutcome, number | null, string | null] {
  const r = b.run;
  const a = r.action;
  const g = r.guard;
  if (b.failed) return ['failed', b.failed.at, b.failed.text];
  if (b.resolvedAt !== null) return ['resolved', b.resolvedAt, null];
  if (b.escalated) return ['escalated', b.escalated.at, b.escalated.reason];
  if (b.denial) return ['rejected', b.denial.at, b.denial.reason];
  if (a.outcome === 'dry-run') return ['dry-run', b.actedAt, a.reason];
  if (a.outcome === 'refused') return ['held-back', b.actedAt, a.reason];
  if (g?.verdict === 'duplicate') return ['duplicate', g.at, g.reason];
  if (g && g.verdict !== 'proceed') return ['held-back', g.at, g.reason];
  if (b.unmatched) return ['not-matched', r.triagedAt, r.reason];
  return ['in-progress', null, stageOf(r)];
}

function stageOf(r: RemediationRun): string {
  if (r.verification && !r.verification.verified) return 'not verified yet';
  if (r.action.outcome === 'started') return r.action.endedAt === null ? 'action running' : 'verifying';
  if (r.approval?.answer === 'pending') return 'waiting for approval';
  return 'not finished when the timeline ends';
}

function subjectFromSummary(summary: string) {
  const m = TRIAGE_SUMMARY.exec(summary);
  return m ? { kind: m[1] as 'alarm' | 'experiment', name: m[2]!, state: m[3]!, at: null } : undefined;
}

function timeOf(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
