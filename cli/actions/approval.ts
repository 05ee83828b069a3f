import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { lockStateDir, StateInUseError } from '../../sandbox/state-lock.ts';
import { sfnClient } from '../../src/aws/sfn.ts';
import {
  ApprovalRecordError,
  type ApprovalRequest,
  type ApprovalStatus,
  approvalAnswerEvent,
  approvalStatus,
} from '../../src/timeline/approvals.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { type ApprovalFlags, DECISION_WORDS, type Decision } from '../commands/approval.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { watchServiceTime } from '../service-time.ts';
import { findIncident, withTimelineStore } from '../timeline-source.ts';

/** The error a rejected approval fails the waiting task with (what the flow's Catch names). */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/** `faultline approve` / `reject`: answers the waiting task, then records the answer on the timeline. */
export async function approvalAction(
  decision: Decision,
  incidentId: string,
  flags: ApprovalFlags,
  io: Io,
): Promise<void> {
  const w = DECISION_WORDS[decision];
  if (!flags.endpoint && !flags.aws) throw new UsageError(await noRunningFlow(flags.stateDir));
  const text = decision === 'given' ? flags.note : flags.reason;
  const answered = await withTimelineStore(flags, async (store) => {
    await findIncident(store, incidentId);
    const request = pendingRequest(incidentId, await store.all(incidentId), flags.runbook, w.verb);
    const sfn = sfnClient();
    const serviceTime = watchServiceTime(sfn);
    await answer(sfn, request, decision, flags.author, text, incidentId);
    // The service's time, not this machine's: a sandbox runs on virtual time, and the
    // answer belongs on the incident's clock.
    const at = serviceTime() ?? new Date();
    const event = approvalAnswerEvent(request, { decision, by: flags.author, text, at });
    await store.append(incidentId, event);
    return { request, at };
  });
  const { runbook, action } = answered.request.detail;
  io.out(
    `${w.done} ${action} (runbook ${runbook}) on ${incidentId} as ${flags.author} at ${answered.at.toISOString()}.`,
  );
}

/** The one approval waiting on the incident; anything else is a UsageError saying what there is. */
function pendingRequest(
  incidentId: string,
  events: readonly TimelineEvent[],
  runbook: string | undefined,
  verb: string,
): ApprovalRequest {
  let status: ApprovalStatus;
  try {
    status = approvalStatus(events, { runbook });
  } catch (e) {
    if (e instanceof ApprovalRecordError) throw new UsageError(`incident '${incidentId}': ${e.message}`);
    throw e;
  }
  const forRunbook = runbook === undefined ? '' : ` for runbook ${runbook}`;
  switch (status.kind) {
    case 'pending':
      return status.request;
    case 'none':
      throw new UsageError(
        `nothing to ${verb}: no approval was requested${forRunbook} on incident '${incidentId}'`,
      );
    case 'several-pending':
      throw new UsageError(
        `${status.requests.length} approvals wait on incident '${incidentId}' ` +
          `(runbooks ${status.requests.map((r) => r.detail.runbook).join(', ')}): pass --runbook to say which`,
      );
    case 'answered':
      throw new UsageError(
        `nothing to ${verb}: the approval of ${status.request.detail.action} on incident '${incidentId}' ` +
          `was already answered at ${status.answer.occurredAt}: ${status.answer.summary}`,
      );
  }
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

/** Why answering from the state folder cannot work, with what to do instead. */
async function noRunningFlow(stateDir: string): Promise<string> {
  const dir = resolve(stateDir);
  if (existsSync(dir)) {
    try {
      const release = await lockStateDir(dir);
      await release();
    } catch (e) {
      if (!(e instanceof StateInUseError)) throw e;
      return (
        `a faultline sandbox is running on ${stateDir} and the approval waits in it: ` +
        'pass --endpoint with the AWS_ENDPOINT_URL it printed (e.g. --endpoint http://127.0.0.1:4566)'
      );
    }
  }
  return (
    `no faultline sandbox is running on ${stateDir}, so no execution waits for an approval there: ` +
    'start it (faultline sandbox) and pass --endpoint with the URL it prints, or answer in AWS with --aws'
  );
}
