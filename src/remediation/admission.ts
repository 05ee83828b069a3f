import { readKillSwitch } from '../observe/kill-switch.ts';
import type { RemediationDeps } from './deps.ts';
import { attached, type GuardResult, type RemediationState } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

/**
 * Guard: may this remediation act? In order: the kill switch (one parameter stops every game day
 * and remediation), the event's claim (a duplicate delivery or the same transition again stops
 * here), the runbook's circuit breaker, then its cooldown and rate limits. The verdict is recorded;
 * only `proceed` goes on.
 */
export async function admitRemediation(
  state: RemediationState,
  deps: RemediationDeps<'ssm'>,
): Promise<GuardResult> {
  const s = attached(state);
  const t = s.triage;
  const owner = s.remediationId;
  const verdict = await decide();
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, owner);
  await timeline.record('remediation.guard', ['guard'], {
    occurredAt: deps.now(),
    summary: `${t.runbook} on ${t.resource}: ${verdict.verdict === 'proceed' ? 'may act' : verdict.verdict}: ${verdict.reason}`,
    detail: { remediationId: owner, runbook: t.runbook, ...verdict },
  });
  return { verdict: verdict.verdict, reason: verdict.reason };

  async function decide(): Promise<GuardResult & { trial?: boolean }> {
    const killSwitch = await readKillSwitch(deps.aws.ssm, deps.env.killSwitchParameter);
    if (killSwitch.engaged) return { verdict: 'kill-switch', reason: killSwitch.detail };
    const claim = await deps.guard.claimEvent(t.dedupeKeys, owner);
    if (!claim.claimed)
      return { verdict: 'duplicate', reason: `${claim.key} is already being remediated by ${claim.heldBy}` };
    const breaker = await deps.guard.breaker.check(t.runbook, owner, t.limits.breaker);
    if (!breaker.allowed) return { verdict: 'held-back', reason: breaker.reason };
    const permit = await deps.guard.acquireAction(t.runbook, t.resource, owner, t.limits);
    if (!permit.allowed) return { verdict: 'held-back', reason: permit.reason };
    return {
      verdict: 'proceed',
      reason: breaker.trial ? 'the circuit breaker lets this one through as its trial' : 'within every limit',
      ...(breaker.trial ? { trial: true } : {}),
    };
  }
}
