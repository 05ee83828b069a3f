import { describeAlarmStates } from '../observe/alarms.ts';
import { healthCheckHealthy, resolveHealthChecks } from '../observe/health-checks.ts';
import type { RemediationDeps } from './deps.ts';
import { attached, type RemediationState, type VerifyResult } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

/**
 * Verify: every alarm the runbook names back to OK and every health check healthy, within
 * `verify.within` of the action starting. Looked at again by the state machine until it holds or
 * the deadline passes; only the final answer is recorded.
 */
export async function verifyRemediation(
  state: RemediationState,
  deps: RemediationDeps<'cloudwatch' | 'route53'>,
): Promise<VerifyResult> {
  const s = attached(state);
  const t = s.triage;
  if (s.action?.outcome !== 'started')
    throw new Error('Verify runs only after an action started: check the ASL wiring');
  const now = deps.now();
  const deadline = new Date(Date.parse(s.action.startedAt) + t.verify.withinMs);
  const pending = await stillFailing(deps, t.verify);
  const verified = pending.length === 0;
  const done = verified || now.getTime() >= deadline.getTime();
  if (done) {
    await new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId).record(
      'remediation.verify',
      ['verify', verified ? 'verified' : 'not-verified'],
      {
        occurredAt: now,
        summary: verified
          ? `verified: ${[...t.verify.alarms, ...t.verify.healthChecks].join(', ')} recovered`
          : `not recovered by ${deadline.toISOString()}: ${pending.join(', ')}`,
        detail: {
          remediationId: s.remediationId,
          runbook: t.runbook,
          verified,
          deadline: deadline.toISOString(),
          pending,
        },
      },
    );
  }
  return { verified, done, deadline: deadline.toISOString(), pending };
}

/** The alarms not OK and the health checks not healthy, as a person reads them. */
async function stillFailing(
  deps: RemediationDeps<'cloudwatch' | 'route53'>,
  verify: { alarms: string[]; healthChecks: string[] },
): Promise<string[]> {
  const pending: string[] = [];
  if (verify.alarms.length > 0) {
    const states = await describeAlarmStates(deps.aws.cloudwatch, verify.alarms);
    for (const name of verify.alarms) {
      const st = states.get(name)?.state;
      if (st !== 'OK') pending.push(`alarm ${name} is ${st ?? 'missing'}`);
    }
  }
  if (verify.healthChecks.length > 0) {
    const ids = await resolveHealthChecks(deps.aws.route53, verify.healthChecks);
    for (const ref of verify.healthChecks) {
      const id = ids.get(ref);
      if (!id) pending.push(`health check ${ref} does not exist`);
      else if (!(await healthCheckHealthy(deps.aws.route53, id)))
        pending.push(`health check ${ref} is unhealthy`);
    }
  }
  return pending;
}
