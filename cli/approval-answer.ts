import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '../src/aws/sfn.ts';
import { type ApprovalRequest, approvalAnswerEvent } from '../src/timeline/approvals.ts';
import type { TimelineStore } from '../src/timeline/store.ts';
import type { Decision } from './commands/approval.ts';
import { UsageError } from './errors.ts';
import { watchServiceTime } from './service-time.ts';

/** The error a rejected approval fails the waiting task with (what the flow's Catch names). */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/**
 * Answers a waiting approval (`faultline approve`/`reject`, or the game-day terminal asking), then
 * records the answer on the incident's timeline. Returns when it was answered, on the service's
 * clock: a sandbox runs on virtual time, and the answer belongs on the incident's clock.
 */
export async function answerApproval(
  store: TimelineStore,
  incidentId: string,
  request: ApprovalRequest,
  given: { decision: Decision; by: string; text: string | undefined },
): Promise<Date> {
  const sfn = sfnClient();
  const serviceTime = watchServiceTime(sfn);
  await answer(sfn, request, given.decision, given.by, given.text, incidentId);
  const at = serviceTime() ?? new Date();
  await store.append(incidentId, approvalAnswerEvent(request, { ...given, at }));
  return at;
}

/** Answers the waiting task; the ways it can no longer be answered are one clear UsageError each. */
async function answer(
  sfn: SFNClient,
  request: ApprovalRequest,
  decision: Decision,
  author: string,
  text: string | undefined,
  incidentId: string,
): Promise<void> {
  const { taskToken, action, expiresAt } = request.detail;
  try {
    if (decision === 'given') {
      await sfn.send(
        new SendTaskSuccessCommand({
          taskToken,
          output: JSON.stringify({ approved: true, by: author, ...(text ? { note: text } : {}) }),
        }),
      );
    } else {
      await sfn.send(
        new SendTaskFailureCommand({
          taskToken,
          error: APPROVAL_REJECTED,
          cause: `rejected by ${author}${text ? `: ${text}` : ''}`,
        }),
      );
    }
  } catch (e) {
    if (e instanceof TaskTimedOut) {
      throw new UsageError(
        `the approval of ${action} on incident '${incidentId}' no longer waits: it expired at ${expiresAt} ` +
          '(an unanswered approval counts as a rejection) or its execution has ended; nothing was recorded',
      );
    }
    if (e instanceof TaskDoesNotExist || e instanceof InvalidToken) {
      throw new UsageError(
        `no execution waits for the approval of ${action} on incident '${incidentId}' here ` +
          '(was the sandbox restarted since it was requested, or is this the wrong --endpoint?); nothing was recorded',
      );
    }
    throw e;
  }
}
