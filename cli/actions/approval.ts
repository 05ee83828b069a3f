import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { lockStateDir, StateInUseError } from '../../sandbox/state-lock.ts';
import {
  ApprovalRecordError,
  type ApprovalRequest,
  type ApprovalStatus,
  approvalStatus,
} from '../../src/timeline/approvals.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { answerApproval } from '../approval-answer.ts';
import { type ApprovalFlags, DECISION_WORDS, type Decision } from '../commands/approval.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { findIncident, withTimelineStore } from '../timeline-source.ts';

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
    const at = await answerApproval(store, incidentId, request, { decision, by: flags.author, text });
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
