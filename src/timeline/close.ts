import { isDroppedEventsIncidentId } from '../remediation/ids.ts';
import type { Incident, NewTimelineEvent } from './event.ts';
import { personEvent } from './notes.ts';
import type { TimelineStore } from './store.ts';

/** Why an incident cannot be closed by hand; nothing was written. */
export class IncidentCloseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncidentCloseError';
  }
}

export interface Closure {
  author: string;
  reason: string;
  at: Date;
}

/**
 * What a person's closing of an incident writes: a note saying who closed it and why, at the
 * closing instant, and the incident resolved then, with the closure kept in its attributes. Only
 * an open incident is closed by hand: one a remediation left open (held back, escalated), or a game
 * day's that ended unrecovered. A game day still running closes its own (interrupted, the sandbox
 * reconciles it when it starts again), and a day's dropped-events log is not an incident.
 */
export function closing(
  incident: Incident,
  closure: Closure,
  id?: string,
): { event: NewTimelineEvent; change: Parameters<TimelineStore['updateIncident']>[1] } {
  const { incidentId } = incident;
  if (isDroppedEventsIncidentId(incidentId)) {
    throw new IncidentCloseError(
      `${incidentId} is the day's log of events no runbook acted on, not an incident: there is nothing to close`,
    );
  }
  if (incident.status !== 'open') {
    throw new IncidentCloseError(
      `${incidentId} is already ${incident.status} (at ${incident.closedAt ?? '?'})`,
    );
  }
  // A game day that ended unrecovered leaves its incident open with its verdict: a person closes that.
  if (incident.kind === 'gameday' && incident.attributes.verdict === undefined) {
    throw new IncidentCloseError(
      `${incidentId} is a game day's incident and its game day has not ended: it closes it when it ends (one cut short is closed when its sandbox starts again)`,
    );
  }
  const reason = closure.reason.trim();
  if (reason === '') throw new IncidentCloseError('the reason is empty: say why it is closed (--reason "…")');
  const event = personEvent(
    { author: closure.author, text: `closed the incident: ${reason}`, at: closure.at },
    id,
  );
  const at = closure.at.toISOString();
  return {
    event,
    change: {
      status: 'resolved',
      closedAt: at,
      attributes: { closedBy: { author: closure.author.trim(), reason, at } },
    },
  };
}

/** Closes an open incident by hand (see `closing`), and returns the note that says so. */
export async function closeIncident(
  store: TimelineStore,
  incident: Incident,
  closure: Closure,
): Promise<NewTimelineEvent> {
  const { event, change } = closing(incident, closure);
  await store.append(incident.incidentId, event);
  await store.updateIncident(incident.incidentId, change);
  return event;
}
