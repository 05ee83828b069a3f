import { GetAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/errors.ts';
import type * as z from '../zod.ts';
import type { RemediationDeps } from './deps.ts';
import { changeStatus } from './failover.ts';
import { SSM_FAILED, SSM_SUCCEEDED } from './ssm-status.ts';
import { type actionStatus, attached, type RemediationState } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

/** The action ended without doing its job: the failure path records it and counts it against the breaker. */
export class RemediationActionFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemediationActionFailed';
  }
}

/**
 * CheckAction: is the action finished? An SSM execution until its status is terminal, a Route 53
 * change until INSYNC. Each status seen is recorded once (its id is the execution and the status).
 */
export async function checkAction(
  state: RemediationState,
  deps: RemediationDeps<'ssm' | 'route53'>,
): Promise<z.infer<typeof actionStatus>> {
  const s = attached(state);
  const a = s.action;
  if (a?.outcome !== 'started')
    throw new Error('CheckAction runs only after an action started: check the ASL wiring');
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId);
  const at = deps.now();
  if (a.kind === 'failover') {
    const status = await changeStatus(deps.aws.route53, a.id);
    await timeline.recordShared('route53.change', {
      eventId: `route53:change:${a.id}:${status}`,
      occurredAt: at,
      summary: `Route 53 change ${a.id} is ${status}`,
      detail: {
        changeId: a.id,
        status: status === 'INSYNC' ? 'INSYNC' : 'PENDING',
        remediationId: s.remediationId,
      },
    });
    return { status, terminal: status === 'INSYNC' };
  }
  const out = await awsCall(`get SSM Automation execution ${a.id}`, () =>
    deps.aws.ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: a.id })),
  );
  const exec = out.AutomationExecution;
  const status = exec?.AutomationExecutionStatus ?? 'Pending';
  const document =
    exec?.DocumentName ?? (s.triage.action.kind === 'automation' ? s.triage.action.document : '');
  // A final status is dated by the execution's own end, not by this poll (every 15 s) that saw it.
  const ended = SSM_FAILED.has(status) || SSM_SUCCEEDED.has(status) ? exec?.ExecutionEndTime : undefined;
  await timeline.recordShared('ssm.automation', {
    eventId: `ssm:${a.id}:${status}`,
    occurredAt: ended && ended <= at ? ended : at,
    summary: `SSM Automation ${document} ${a.id} is ${status}`,
    detail: { executionId: a.id, document, status, remediationId: s.remediationId },
  });
  if (SSM_FAILED.has(status))
    throw new RemediationActionFailed(
      `SSM Automation ${document} ${a.id} ended ${status}${exec?.FailureMessage ? `: ${exec.FailureMessage}` : ''}`,
    );
  return { status, terminal: SSM_SUCCEEDED.has(status) };
}
