import { StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/errors.ts';
import { readKillSwitch } from '../observe/kill-switch.ts';
import { type ConfirmClients, confirmSubject } from './confirm.ts';
import type { RemediationDeps } from './deps.ts';
import { failOver } from './failover.ts';
import { clientTokenFor } from './ids.ts';
import { type ActionResult, attached, type RemediationState } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

/**
 * Act: the runbook's action, started once per transition whatever the retries and duplicates
 * (SSM's ClientToken derives from the transition; a Route 53 UPSERT to the same value is a no-op).
 * The kill switch is read again first, and the alarm (or experiment) confirmed still in the state
 * that triggered it: an approval may have taken minutes, and the service may have recovered
 * meanwhile. A dry run records what it would have done and stops there.
 */
export async function act(
  state: RemediationState,
  deps: RemediationDeps<'ssm' | 'route53'>,
  confirm: ConfirmClients,
): Promise<ActionResult> {
  const s = attached(state);
  const t = s.triage;
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId);
  const base = { remediationId: s.remediationId, runbook: t.runbook, action: t.action.kind };
  const what =
    t.action.kind === 'automation'
      ? `SSM Automation ${t.action.document} ${JSON.stringify(t.action.parameters)}`
      : `Route 53 failover of ${t.action.record} from '${t.action.primary}' to '${t.action.secondary}'`;

  const killSwitch = await readKillSwitch(deps.aws.ssm, deps.env.killSwitchParameter);
  if (killSwitch.engaged) {
    await timeline.record('remediation.action', ['action', 'refused'], {
      occurredAt: deps.now(),
      summary: `did not start ${what}: ${killSwitch.detail}`,
      detail: { ...base, outcome: 'refused', reason: killSwitch.detail },
    });
    return { outcome: 'refused', reason: killSwitch.detail };
  }
  const still = await confirmSubject(t.subject, confirm);
  if (!still.confirmed) {
    const reason = `no longer confirmed: ${still.reason}`;
    await timeline.record('remediation.action', ['action', 'refused'], {
      occurredAt: deps.now(),
      summary: `did not start ${what}: ${reason}`,
      detail: { ...base, outcome: 'refused', reason },
    });
    return { outcome: 'refused', reason };
  }
  if (t.dryRun) {
    const reason = `dry run: would have started ${what}`;
    await timeline.record('remediation.action', ['action', 'dry-run'], {
      occurredAt: deps.now(),
      summary: reason,
      detail: { ...base, outcome: 'dry-run', reason },
    });
    return { outcome: 'dry-run', reason };
  }

  const startedAt = deps.now();
  let id: string;
  if (t.action.kind === 'automation') {
    const a = t.action;
    const out = await awsCall(`start SSM Automation ${a.document}`, () =>
      deps.aws.ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: a.document,
          DocumentVersion: a.version,
          // The automation role, not the function's: only it may touch the instances and groups
          // (tagged for chaos) the documents act on. A runbook may name another.
          Parameters: { AutomationAssumeRole: [deps.automationRole()], ...a.parameters },
          ClientToken: clientTokenFor(t.dedupeKeys[0]!),
        }),
      ),
    );
    id = out.AutomationExecutionId ?? '';
  } else {
    id = await failOver(
      deps.aws.route53,
      t.action,
      `faultline remediation ${s.remediationId} (${t.runbook})`,
    );
  }
  await timeline.record('remediation.action', ['action', 'started'], {
    occurredAt: startedAt,
    summary: `started ${what}: ${id}`,
    detail: {
      ...base,
      outcome: 'started',
      ...(t.action.kind === 'automation' ? { executionId: id } : { changeId: id }),
    },
  });
  return { outcome: 'started', kind: t.action.kind, id, startedAt: startedAt.toISOString() };
}
