import { logger } from '../runtime/logger.ts';
import type { RemediationDeps } from './deps.ts';
import { messageOf, notifyPerson } from './notify.ts';
import { attached, type RemediationState } from './state.ts';
import { droppedEventsTimeline, RemediationTimeline } from './timeline.ts';

/**
 * Resolve: verified. The breaker hears of the success (a trial's success closes it); an incident
 * the remediation opened is closed, a game day's is left to the game day.
 */
export async function resolveRemediation(
  state: RemediationState,
  deps: RemediationDeps<never>,
): Promise<{ closedIncident: boolean }> {
  const s = attached(state);
  const t = s.triage;
  await deps.guard.breaker.record(t.runbook, s.remediationId, true, t.limits.breaker);
  const closedIncident = s.incident.kind === 'remediation';
  const now = deps.now();
  if (closedIncident)
    await deps.store.updateIncident(s.incident.incidentId, {
      status: 'resolved',
      closedAt: now.toISOString(),
      attributes: { remediation: 'resolved' },
    });
  await new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId).record(
    'remediation.resolved',
    ['resolved'],
    {
      occurredAt: now,
      summary: `resolved by ${t.runbook}${closedIncident ? '; incident closed' : ''}`,
      detail: { remediationId: s.remediationId, runbook: t.runbook, closedIncident },
    },
  );
  return { closedIncident };
}

/** Escalate: the action ran and did not fix it. Counts against the breaker; a person is told; the incident stays open. */
export async function escalateRemediation(
  state: RemediationState,
  deps: RemediationDeps<'sns'>,
): Promise<{ escalated: true }> {
  const s = attached(state);
  const t = s.triage;
  await deps.guard.breaker.record(t.runbook, s.remediationId, false, t.limits.breaker);
  const timeline = new RemediationTimeline(deps.store, s.incident.incidentId, s.remediationId);
  const reason = `not recovered by ${s.verification?.deadline ?? 'the deadline'}: ${s.verification?.pending.join(', ') ?? 'unknown'}`;
  await timeline.record('remediation.escalated', ['escalated'], {
    occurredAt: deps.now(),
    summary: `escalated to a person: ${reason}`,
    detail: { remediationId: s.remediationId, runbook: t.runbook, reason },
  });
  await notifyPerson(deps, timeline, 'escalated', messageOf('escalated', s));
  return { escalated: true };
}

/**
 * RecordFailure: a step failed (after its retries). Recorded on the incident (or, before there is
 * one, on the day's dropped-events timeline), counted against the breaker once the remediation
 * had been let through to act, and a person is told.
 */
export async function recordFailure(
  state: RemediationState,
  deps: RemediationDeps<'sns'>,
): Promise<{ recorded: true }> {
  const error = state.failure?.Error ?? 'unknown error';
  const cause = state.failure?.Cause;
  const eventId = (state.event as { id?: unknown } | undefined)?.id;
  logger.error('remediation failed', { remediationId: state.remediationId, error, cause });
  const t = state.triage?.matched ? state.triage : undefined;
  if (t && state.guard?.verdict === 'proceed')
    await deps.guard.breaker.record(t.runbook, state.remediationId, false, t.limits.breaker);
  const now = deps.now();
  const timeline = state.incident
    ? new RemediationTimeline(deps.store, state.incident.incidentId, state.remediationId)
    : await droppedEventsTimeline(deps.store, now, state.remediationId);
  await timeline.record('remediation.failed', ['failed'], {
    occurredAt: now,
    summary: `remediation failed: ${error}${cause ? `: ${cause}` : ''}`,
    detail: {
      remediationId: state.remediationId,
      ...(t ? { runbook: t.runbook } : {}),
      error,
      ...(cause ? { cause } : {}),
      ...(typeof eventId === 'string' ? { eventId } : {}),
    },
  });
  await notifyPerson(
    deps,
    timeline,
    'failed',
    state.incident
      ? messageOf('failed', state)
      : {
          subject: `[faultline] remediation ${state.remediationId} FAILED before it had an incident`,
          lines: [
            `Remediation ${state.remediationId} failed: ${error}${cause ? `: ${cause}` : ''}`,
            `Timeline: ${timeline.incidentId}`,
          ],
        },
  );
  return { recorded: true };
}
