import { PublishCommand } from '@aws-sdk/client-sns';
import { awsCall } from '../aws/errors.ts';
import { eventIds } from './record.ts';
import type { GameDayState } from './state.ts';
import { gameDayStep } from './step.ts';

export interface NotifyResult {
  messageId: string;
  subject: string;
  /** A retry found the message already sent and did not send it again. */
  alreadySent?: boolean;
}

/** SNS subjects: printable ASCII, no line breaks, under 100 characters. */
const SUBJECT_MAX = 99;

/** Which state notifies: the refused path, the failure path or the end of a game day. */
export function notifyStep(state: GameDayState): string {
  if (state.failure) return 'NotifyFailure';
  if (state.preflight && !state.preflight.ok) return 'NotifyRefused';
  return 'Notify';
}

/** How the game day ended, in a few words: the report's verdict on the RTO when there is one. */
export function outcomeOf(state: GameDayState): string {
  if (state.failure) return `FAILED (${state.failure.Error})`;
  if (state.preflight && !state.preflight.ok) return 'REFUSED';
  if (state.dryRun) return 'dry run, nothing injected';
  const verdict = state.report?.verdict as
    | { injected?: boolean; experiment?: { finalStatus?: string | null } }
    | undefined;
  // Its recovery check passes (nothing left the steady state), yet nothing was rehearsed.
  if (verdict?.injected === false) {
    const status = verdict.experiment?.finalStatus;
    return `NOTHING INJECTED${status ? ` (experiment ${status})` : ''}`;
  }
  const met = (state.report?.verdict.rto as { met?: boolean | null } | undefined)?.met;
  if (met === true) return 'recovered within RTO';
  if (met === false) return 'NOT recovered within RTO';
  if (state.recovery) return state.recovery.recovered ? 'recovered' : 'NOT recovered';
  return 'ended';
}

export function subjectLine(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[—–]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}

function verdictLines(verdict: Record<string, unknown>): string[] {
  return Object.entries(verdict).map(
    ([k, v]) => `  ${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
  );
}

/** The message a person on the topic reads: what ran, how it ended, why, and where the report is. */
export function notificationOf(state: GameDayState): { subject: string; message: string } {
  const spec = state.experiment;
  const outcome = outcomeOf(state);
  const subject = subjectLine(
    `[faultline] game day ${spec.name}${state.dryRun ? ' (dry run)' : ''} on ${spec.service}: ${outcome}`,
  );
  const lines = [
    `Game day ${state.gamedayId}${state.dryRun ? ' (dry run: nothing injected)' : ''}`,
    `Experiment: ${spec.name} - ${spec.description}`,
    `Service: ${spec.service}`,
    `Outcome: ${outcome}`,
  ];
  if (state.preflight && !state.preflight.ok) {
    lines.push('', 'Refused because:', ...state.preflight.reasons.map((r) => `  - ${r}`));
  }
  if (state.failure) {
    lines.push('', `Failure: ${state.failure.Error}${state.failure.Cause ? `: ${state.failure.Cause}` : ''}`);
  }
  if (state.experimentRun) {
    const status = state.observation?.experimentStatus;
    lines.push(`FIS experiment: ${state.experimentRun.experimentId}${status ? ` (${status})` : ''}`);
  }
  if (state.stop) lines.push(`Stopped early: ${state.stop.reason}`);
  if (state.recovery) {
    // The check's own time is a poll: when the service came back is in the report's key moments.
    const checked = state.recovery.endedAt ? ` at ${state.recovery.endedAt}` : '';
    lines.push(
      state.recovery.recovered
        ? `Recovery check${checked}: steady state back (deadline ${state.recovery.deadline})`
        : `Recovery check${checked}: steady state not back by the deadline ${state.recovery.deadline}`,
    );
  }
  if (state.report) {
    lines.push('', 'Verdict:', ...verdictLines(state.report.verdict));
    lines.push(
      '',
      'Report:',
      `  markdown: ${state.report.reports.markdown}`,
      `  html: ${state.report.reports.html}`,
      `  json: ${state.report.reports.json}`,
    );
  } else {
    lines.push('', 'No report was written.');
  }
  return { subject, message: `${lines.join('\n')}\n` };
}

/**
 * Notify (also `NotifyRefused`, `NotifyFailure`): publishes the outcome to the topic. SNS standard
 * topics take no idempotency token, so a retry first looks on the timeline for the message an
 * earlier attempt sent.
 */
export const notify = gameDayStep<GameDayState, NotifyResult, 'sns'>(
  { step: notifyStep },
  async (state, deps, { step, attempt, timeline }) => {
    if (attempt > 1) {
      const earlier = (await deps.store.all(state.gamedayId)).find(
        (e) => e.kind === 'notification.sent' && e.detail.step === step,
      );
      if (earlier) {
        return {
          messageId: String(earlier.detail.messageId),
          subject: String(earlier.detail.subject),
          alreadySent: true,
        };
      }
    }
    const topicArn = deps.env.topicArn;
    const { subject, message } = notificationOf(state);
    const out = await awsCall('publish the notification', () =>
      deps.aws.sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message })),
    );
    const messageId = out.MessageId ?? '';
    await timeline.record('notification.sent', {
      eventId: eventIds.notification(messageId),
      occurredAt: deps.now(),
      summary: `notified ${topicArn}: ${subject}`,
      detail: { topicArn, messageId, subject, step },
    });
    return { messageId, subject };
  },
);
