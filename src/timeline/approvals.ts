import { createHash } from 'node:crypto';
import { describeIssue } from '../runtime/input-error.ts';
import * as z from '../zod.ts';
import type { NewTimelineEvent, TimelineEvent } from './event.ts';
import type { ApprovalEventKinds } from './kinds.ts';

export type ApprovalRequestDetail = ApprovalEventKinds['approval.requested'];

/** A request's short, stable name: task tokens are too long for an event id. */
export function approvalKey(taskToken: string): string {
  return createHash('sha256').update(taskToken).digest('hex').slice(0, 16);
}

/**
 * The ids of the approval events (kinds.ts). A request has one answer id whatever the answer, so
 * an approval and a rejection racing each other are never both on the timeline.
 */
export const approvalIds = {
  requested: (taskToken: string) => `approval:requested:${approvalKey(taskToken)}`,
  answer: (taskToken: string) => `approval:answer:${approvalKey(taskToken)}`,
};

const requestDetail: z.ZodMiniType<ApprovalRequestDetail> = z.object({
  taskToken: z.string().check(z.minLength(1)),
  runbook: z.string().check(z.minLength(1)),
  action: z.string().check(z.minLength(1)),
  requestedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

/** The `approval.requested` event of a request, for the remediation flow to append. */
export function approvalRequestEvent(detail: ApprovalRequestDetail): NewTimelineEvent {
  return {
    eventId: approvalIds.requested(detail.taskToken),
    occurredAt: detail.requestedAt,
    source: 'approval',
    kind: 'approval.requested',
    summary: `Approval requested for ${detail.action} (runbook ${detail.runbook}), until ${detail.expiresAt}`,
    detail: { ...detail },
  };
}

export interface ApprovalRequest {
  eventId: string;
  detail: ApprovalRequestDetail;
}

/** Where a timeline's approvals stand, for one runbook or all of them. */
export type ApprovalStatus =
  | { kind: 'none' }
  | { kind: 'pending'; request: ApprovalRequest }
  | { kind: 'several-pending'; requests: ApprovalRequest[] }
  | { kind: 'answered'; request: ApprovalRequest; answer: TimelineEvent };

/**
 * The request an answer is for: the only unanswered one, or (when every request has its answer)
 * the latest, so the caller can say who answered it. A request whose detail is not what kinds.ts
 * declares is an ApprovalRecordError naming the event and the field.
 */
export function approvalStatus(
  events: readonly TimelineEvent[],
  opts: { runbook?: string } = {},
): ApprovalStatus {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const requests = events
    .filter((e) => e.kind === 'approval.requested')
    .map((e): ApprovalRequest => {
      const parsed = requestDetail.safeParse(e.detail);
      if (!parsed.success) {
        throw new ApprovalRecordError(
          `timeline event '${e.eventId}' (approval.requested): detail.${describeIssue(parsed.error)}`,
        );
      }
      return { eventId: e.eventId, detail: parsed.data };
    })
    .filter((r) => opts.runbook === undefined || r.detail.runbook === opts.runbook);
  const answerOf = (r: ApprovalRequest) => byId.get(approvalIds.answer(r.detail.taskToken));
  const pending = requests.filter((r) => !answerOf(r));
  if (pending.length === 1) return { kind: 'pending', request: pending[0]! };
  if (pending.length > 1) return { kind: 'several-pending', requests: pending };
  const latest = requests.at(-1);
  if (!latest) return { kind: 'none' };
  return { kind: 'answered', request: latest, answer: answerOf(latest)! };
}

/** The `approval.given` or `approval.rejected` event of a person's answer. */
export function approvalAnswerEvent(
  request: ApprovalRequest,
  answer: { decision: 'given' | 'rejected'; by: string; text?: string; at: Date },
): NewTimelineEvent {
  const { runbook, action, taskToken } = request.detail;
  const text = answer.text?.trim() || undefined;
  const verb = answer.decision === 'given' ? 'approved' : 'rejected';
  return {
    eventId: approvalIds.answer(taskToken),
    occurredAt: answer.at.toISOString(),
    source: 'approval',
    kind: answer.decision === 'given' ? 'approval.given' : 'approval.rejected',
    summary: `${answer.by} ${verb} ${action} (runbook ${runbook})${text ? `: ${text}` : ''}`,
    detail: {
      by: answer.by,
      runbook,
      action,
      requestEventId: request.eventId,
      ...(text === undefined ? {} : answer.decision === 'given' ? { note: text } : { reason: text }),
    },
  };
}

/** An approval event on a timeline is not what kinds.ts declares. */
export class ApprovalRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalRecordError';
  }
}
