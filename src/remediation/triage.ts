import { remediationEnabled } from '../observe/remediation-switch.ts';
import { matchRunbook } from '../runbooks/match.ts';
import { logger } from '../runtime/logger.ts';
import { parseIsoDuration } from '../time/duration.ts';
import { type ConfirmClients, confirmSubject } from './confirm.ts';
import type { RemediationDeps } from './deps.ts';
import { guardLimits } from './guard.ts';
import { serviceOf } from './ids.ts';
import type { RemediationState, TriageResult } from './state.ts';
import { droppedEventsTimeline } from './timeline.ts';

/**
 * Triage: which runbook, with everything it will do filled in from the event. An event no runbook
 * is for (or that is malformed, or not an event at all), or whose alarm or experiment the service
 * itself does not show in the state the event reports (a forged or stale event), is recorded on
 * the day's dropped-events timeline with the reason, logged, and ends the remediation as a
 * success: a bad event must never fail the state machine, let alone in a loop, nor open an
 * incident or ask a person.
 */
export async function triage(
  state: RemediationState,
  deps: RemediationDeps<'ssm'>,
  confirm: ConfirmClients,
): Promise<TriageResult> {
  const switched = await remediationEnabled(deps.aws.ssm, deps.switchParameter());
  const matched = switched.enabled
    ? matchRunbook(state.event, deps.runbooks())
    : { matched: false as const, reason: switched.detail, facts: undefined };
  const m = matched.matched ? await confirmed(matched, confirm) : matched;
  if (!m.matched) {
    const now = deps.now();
    logger.warn('remediation dropped an event', { reason: m.reason, remediationId: state.remediationId });
    const timeline = await droppedEventsTimeline(deps.store, now, state.remediationId);
    const eventId = m.facts?.event.id;
    await timeline.record('remediation.triage', ['triage'], {
      occurredAt: now,
      summary: `dropped${eventId ? ` event ${eventId}` : ''}: ${m.reason}`,
      detail: {
        remediationId: state.remediationId,
        matched: false,
        reason: m.reason,
        ...(eventId ? { eventId } : {}),
      },
    });
    return { matched: false, reason: m.reason, recordedOn: timeline.incidentId };
  }
  const { runbook, facts } = m;
  const subject = subjectOf(facts);
  return {
    matched: true,
    runbook: runbook.name,
    resource: m.resource,
    dedupeKeys: m.dedupeKeys,
    action: m.action,
    verify: m.verify,
    approval: {
      required: runbook.approval.required,
      timeoutSeconds: Math.max(1, Math.ceil(parseIsoDuration(runbook.approval.timeout)! / 1000)),
    },
    dryRun: runbook.dryRun,
    limits: guardLimits(runbook.limits),
    subject: { ...subject, service: serviceOf(facts), eventId: facts.event.id },
  };
}

type Match = Extract<ReturnType<typeof matchRunbook>, { matched: true }>;

/** What the event is about: the alarm and the state it went to, or the experiment and its status. */
function subjectOf(facts: Match['facts']) {
  return facts.alarm
    ? {
        kind: 'alarm' as const,
        name: facts.alarm.name,
        state: facts.alarm.state,
        at: facts.alarm.stateTimestamp,
      }
    : {
        kind: 'experiment' as const,
        name: facts.experiment!.id,
        state: facts.experiment!.status,
        at: facts.event.time,
      };
}

/** The match, if CloudWatch (or FIS) confirms what the event says; else a drop that says why. */
async function confirmed(m: Match, clients: ConfirmClients) {
  const check = await confirmSubject(subjectOf(m.facts), clients);
  if (check.confirmed) return m;
  return {
    matched: false as const,
    reason: `not confirmed, so not acted on: ${check.reason} (the event may be forged, or stale)`,
    facts: m.facts,
  };
}
