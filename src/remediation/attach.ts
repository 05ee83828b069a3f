import type { TimelineStore } from '../timeline/store.ts';
import type * as z from '../zod.ts';
import type { RemediationDeps } from './deps.ts';
import { remediationIncidentId } from './ids.ts';
import type { attachResult, RemediationState, Triaged } from './state.ts';
import { RemediationTimeline } from './timeline.ts';

type AttachResult = z.infer<typeof attachResult>;

/** How many of the newest incidents are looked through for a game day in progress. */
const RECENT_INCIDENTS = 50;

/** The open game day on the service, if one is running: its newest, as game days are listed newest first. */
export async function openGameDayOn(store: TimelineStore, service: string): Promise<string | undefined> {
  const { incidents } = await store.listIncidents({ limit: RECENT_INCIDENTS });
  return incidents.find((i) => i.kind === 'gameday' && i.status === 'open' && i.service === service)
    ?.incidentId;
}

/**
 * AttachIncident: a remediation during a game day on the same service joins the game day's
 * incident (the report then shows what the automation did during it); otherwise it opens, or
 * joins, the incident of the alarm transition, whose id the transition decides.
 */
export async function attachIncident(
  state: RemediationState,
  deps: RemediationDeps<never>,
): Promise<AttachResult> {
  const t = state.triage;
  if (!t?.matched) throw new Error('AttachIncident runs only after a matching triage: check the ASL wiring');
  const now = deps.now();
  const gameDay = await openGameDayOn(deps.store, t.subject.service);
  const result: AttachResult = gameDay
    ? { incidentId: gameDay, kind: 'gameday' }
    : {
        incidentId: (
          await deps.store.openIncident({
            incidentId: remediationIncidentId(t.subject),
            kind: 'remediation',
            title: `Remediation: ${t.subject.kind} ${t.subject.name} went to ${t.subject.state} (runbook ${t.runbook})`,
            service: t.subject.service,
            openedAt: now.toISOString(),
            attributes: { runbook: t.runbook, subject: t.subject, resource: t.resource },
          })
        ).incidentId,
        kind: 'remediation',
      };
  const timeline = new RemediationTimeline(deps.store, result.incidentId, state.remediationId);
  await recordTriage(timeline, t, state.remediationId, now);
  await timeline.record('remediation.attached', ['attached'], {
    occurredAt: now,
    summary: `remediation ${state.remediationId} ${result.kind === 'gameday' ? 'joined game day' : 'records on'} ${result.incidentId}`,
    detail: { remediationId: state.remediationId, runbook: t.runbook, incidentKind: result.kind },
  });
  return result;
}

async function recordTriage(timeline: RemediationTimeline, t: Triaged, remediationId: string, now: Date) {
  const what =
    t.action.kind === 'automation'
      ? `SSM Automation ${t.action.document}`
      : `Route 53 failover of ${t.action.record}`;
  await timeline.record('remediation.triage', ['triage'], {
    occurredAt: now,
    summary: `${t.subject.kind} ${t.subject.name} went to ${t.subject.state}: runbook ${t.runbook} (${what} on ${t.resource}${t.dryRun ? ', dry run' : ''}${t.approval.required ? ', approval required' : ''})`,
    detail: {
      remediationId,
      matched: true,
      runbook: t.runbook,
      eventId: t.subject.eventId,
      resource: t.resource,
      action: t.action,
      subject: { kind: t.subject.kind, name: t.subject.name, state: t.subject.state, at: t.subject.at },
    },
  });
}
