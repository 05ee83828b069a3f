import { PublishCommand } from '@aws-sdk/client-sns';
import { awsCall } from '../aws/errors.ts';
import { subjectLine } from '../gameday/notify.ts';
import * as z from '../zod.ts';
import type { RemediationDeps } from './deps.ts';
import { attached, type RemediationState, remediationState } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

/** Why a remediation asks a person to look. */
export const notifyPurpose = z.enum(['held-back', 'approval-requested', 'rejected', 'escalated', 'failed']);
export type NotifyPurpose = z.infer<typeof notifyPurpose>;

/** The Notify state's input: the state document and why (Parameters in the ASL). */
export const notifyInput = z.object({ purpose: notifyPurpose, state: remediationState });

/**
 * Publishes to the topic once per remediation and purpose: the notification is recorded under an
 * id made of both, and a retry that finds it does not publish again. (SNS standard topics take no
 * idempotency token; a crash between publishing and recording can still send it twice.)
 */
export async function notifyPerson(
  deps: RemediationDeps<'sns'>,
  timeline: RemediationTimeline,
  purpose: NotifyPurpose,
  text: { subject: string; lines: string[] },
): Promise<{ messageId: string; alreadySent?: boolean }> {
  const eventId = timeline.notificationId(purpose);
  const earlier = await deps.store.findEvent(timeline.incidentId, eventId);
  if (earlier) return { messageId: String(earlier.detail.messageId), alreadySent: true };
  const topicArn = deps.env.topicArn;
  const subject = subjectLine(text.subject);
  const out = await awsCall('publish the remediation notification', () =>
    deps.aws.sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: `${text.lines.join('\n')}\n` }),
    ),
  );
  const messageId = out.MessageId ?? '';
  await timeline.recordShared('notification.sent', {
    eventId,
    occurredAt: deps.now(),
    summary: `notified ${topicArn}: ${subject}`,
    detail: { topicArn, messageId, subject, remediationId: timeline.remediationId, purpose },
  });
  return { messageId };
}

/** What a person reads: which remediation, about what, and why they are told. */
export function messageOf(
  purpose: NotifyPurpose,
  state: RemediationState,
): { subject: string; lines: string[] } {
  const s = attached(state);
  const t = s.triage;
  const about = `${t.subject.kind} ${t.subject.name} (${t.subject.state} at ${t.subject.at})`;
  const why: Record<NotifyPurpose, [string, string]> = {
    'held-back': [
      'held back',
      `Nothing was done: ${s.action?.outcome === 'refused' ? s.action.reason : (s.guard?.reason ?? 'held back')}. A person should look.`,
    ],
    'approval-requested': [
      'needs approval',
      `Approve or reject with: faultline approve|reject ${s.incident.incidentId}. No answer within ${t.approval.timeoutSeconds} s is a rejection.`,
    ],
    rejected: [
      'not approved',
      `Nothing was done: ${s.rejection?.Error === 'States.Timeout' ? 'no answer before the approval timed out' : `rejected (${s.rejection?.Cause ?? s.rejection?.Error ?? 'no reason given'})`}.`,
    ],
    escalated: [
      'did not fix it',
      `The action ran but verification failed (still not recovered: ${s.verification?.pending.join(', ') || 'unknown'}). The incident stays open for a person.`,
    ],
    failed: [
      'FAILED',
      `The remediation failed: ${s.failure?.Error ?? 'unknown error'}${s.failure?.Cause ? `: ${s.failure.Cause}` : ''}.`,
    ],
  };
  const [headline, detail] = why[purpose];
  return {
    subject: `[faultline] remediation ${t.runbook} ${headline}: ${t.subject.name}`,
    lines: [
      `Remediation ${s.remediationId} (runbook ${t.runbook}) for ${about}`,
      `Resource: ${t.resource}`,
      `Incident: ${s.incident.incidentId}`,
      '',
      detail,
    ],
  };
}

/** Notify: tells a person why this remediation stopped (held back, rejected). */
export async function remediationNotify(
  input: z.infer<typeof notifyInput>,
  deps: RemediationDeps<'sns'>,
): Promise<{ messageId: string; alreadySent?: boolean }> {
  const s = attached(input.state);
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId);
  return notifyPerson(deps, timeline, input.purpose, messageOf(input.purpose, s));
}
