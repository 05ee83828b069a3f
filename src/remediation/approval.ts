import { createHash } from 'node:crypto';
import { approvalRequestEvent } from '../timeline/approvals.ts';
import * as z from '../zod.ts';
import type { RemediationDeps } from './deps.ts';
import { messageOf, notifyPerson } from './notify.ts';
import { attached, type RemediationState, remediationState } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

/** RequestApproval's payload (`lambda:invoke.waitForTaskToken`): the state and the token that answers it. */
export const approvalRequest = z.object({
  state: remediationState,
  taskToken: z.string().check(z.minLength(1)),
});

/**
 * RequestApproval: records the request, with the task token `faultline approve|reject <incident>`
 * answers it with, and publishes it to the topic. The state machine waits for the answer (the
 * runbook's approval timeout; no answer is a rejection).
 */
export async function requestApproval(
  input: z.infer<typeof approvalRequest>,
  deps: RemediationDeps<'sns'>,
): Promise<{ requested: true }> {
  const s = attached(input.state);
  const t = s.triage;
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId);
  // A retried request waits on a new token: each token is its own request, the newest one counts.
  const token = createHash('sha256').update(input.taskToken).digest('hex').slice(0, 12);
  await timeline.record('remediation.approval', ['approval', 'requested', token], {
    occurredAt: deps.now(),
    summary: `approval requested for ${t.runbook} on ${t.resource} (timeout ${t.approval.timeoutSeconds} s)`,
    detail: {
      remediationId: s.remediationId,
      runbook: t.runbook,
      status: 'requested',
      taskToken: input.taskToken,
    },
  });
  // The request `faultline approve|reject` looks for: what is asked, and until when.
  const requestedAt = deps.now();
  await deps.store.append(
    s.incident.incidentId,
    approvalRequestEvent({
      taskToken: input.taskToken,
      runbook: t.runbook,
      // What a person is asked to let happen: the document an automation runs says more than "automation".
      action: `${t.action.kind === 'automation' ? t.action.document : t.action.kind} on ${t.resource}`,
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + t.approval.timeoutSeconds * 1000).toISOString(),
    }),
  );
  await notifyPerson(deps, timeline, 'approval-requested', messageOf('approval-requested', s));
  return { requested: true };
}

/** ApprovalDenied: the answer was no, or no answer came in time. Recorded, a person told, nothing done. */
export async function approvalDenied(
  state: RemediationState,
  deps: RemediationDeps<'sns'>,
): Promise<{ status: string }> {
  const s = attached(state);
  const timedOut = s.rejection?.Error === 'States.Timeout';
  const status = timedOut ? 'timed-out' : 'rejected';
  const reason = timedOut ? 'no answer before the approval timed out' : (s.rejection?.Cause ?? 'rejected');
  await deps.guard.releaseUnusedAction(s.triage.runbook, s.triage.resource, s.remediationId);
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId);
  await timeline.record('remediation.approval', ['approval', status], {
    occurredAt: deps.now(),
    summary: `${s.triage.runbook} not approved: ${reason} (its rate-limit slots are given back; the cooldown holds)`,
    detail: { remediationId: s.remediationId, runbook: s.triage.runbook, status, reason },
  });
  await notifyPerson(deps, timeline, 'rejected', messageOf('rejected', s));
  return { status };
}
