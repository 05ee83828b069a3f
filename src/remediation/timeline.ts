import { eventIds, type Fact, GameDayTimeline } from '../gameday/record.ts';
import type { TimelineEvent } from '../timeline/event.ts';
import type { EventKind, RemediationEventKind, RemediationEventKinds } from '../timeline/kinds.ts';
import type { TimelineStore } from '../timeline/store.ts';
import { droppedEventsIncidentId } from './ids.ts';

const SOURCE: Record<RemediationEventKind, TimelineEvent['source']> = {
  'remediation.triage': 'remediation',
  'remediation.attached': 'remediation',
  'remediation.guard': 'remediation',
  'remediation.approval': 'approval',
  'remediation.action': 'remediation',
  'remediation.verify': 'remediation',
  'remediation.resolved': 'remediation',
  'remediation.escalated': 'remediation',
  'remediation.failed': 'remediation',
};

/**
 * The steps in the order they run, a number in every id. The timeline orders the facts of one
 * instant as they were recorded (src/timeline/order.ts); the number keeps a remediation's ids in
 * step order too, wherever they are listed by id, and ids already written keep their form.
 */
const ORDER: Record<RemediationEventKind, number> = {
  'remediation.triage': 1,
  'remediation.attached': 2,
  'remediation.guard': 3,
  'remediation.approval': 4,
  'remediation.action': 5,
  'remediation.verify': 6,
  'remediation.resolved': 7,
  'remediation.escalated': 7,
  'remediation.failed': 8,
};

/** One remediation's facts on an incident timeline, each id `remediation:<remediationId>:<step number>:<…>`. */
export class RemediationTimeline {
  readonly incidentId: string;
  readonly remediationId: string;
  readonly store: TimelineStore;
  /** For the kinds game days write too (SSM executions, Route 53 changes, notifications). */
  readonly shared: GameDayTimeline;

  constructor(store: TimelineStore, incidentId: string, remediationId: string) {
    this.store = store;
    this.incidentId = incidentId;
    this.remediationId = remediationId;
    this.shared = new GameDayTimeline(store, incidentId);
  }

  /** `remediation:<remediationId>:<parts…>`. */
  id(...parts: string[]): string {
    return [`remediation:${this.remediationId}`, ...parts].join(':');
  }

  /** Appends the fact under `id(<step number>, ...idParts)`; false when it is already there (a retried step). */
  record<K extends RemediationEventKind>(
    kind: K,
    idParts: string[],
    fact: { occurredAt: Date; summary: string; detail: RemediationEventKinds[K] & Record<string, unknown> },
  ): Promise<boolean> {
    return this.store.append(this.incidentId, {
      eventId: this.id(String(ORDER[kind]), ...idParts),
      occurredAt: fact.occurredAt.toISOString(),
      source: SOURCE[kind],
      kind,
      summary: fact.summary,
      detail: fact.detail,
    });
  }

  recordShared<K extends EventKind>(kind: K, fact: Fact<K>): Promise<boolean> {
    return this.shared.record(kind, fact);
  }

  /** The id a notification of this remediation for `purpose` is recorded under (found again on a retry). */
  notificationId(purpose: string): string {
    return eventIds.notification(`remediation:${this.remediationId}:${purpose}`);
  }
}

/**
 * The timeline of the day's events nothing acted on (no runbook, malformed, failed before an
 * incident was attached), opened on first use. Its incident is `refused`: nothing was done.
 */
export async function droppedEventsTimeline(
  store: TimelineStore,
  now: Date,
  remediationId: string,
): Promise<RemediationTimeline> {
  const incidentId = droppedEventsIncidentId(now);
  await store.openIncident({
    incidentId,
    kind: 'remediation',
    title: `Events no remediation acted on, ${now.toISOString().slice(0, 10)}`,
    service: 'unknown',
    openedAt: now.toISOString(),
    status: 'refused',
    attributes: {},
  });
  return new RemediationTimeline(store, incidentId, remediationId);
}
