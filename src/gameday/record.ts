import type { TimelineEvent } from '../timeline/event.ts';
import type { EventKind, EventKinds } from '../timeline/kinds.ts';
import type { TimelineStore } from '../timeline/store.ts';

const SOURCE: Record<EventKind, TimelineEvent['source']> = {
  'gameday.step': 'gameday',
  'gameday.preflight': 'gameday',
  'gameday.refused': 'gameday',
  'gameday.stop-requested': 'gameday',
  'gameday.failed': 'gameday',
  'gameday.recovery': 'gameday',
  'fis.template': 'fis',
  'fis.experiment': 'fis',
  'fis.action': 'fis',
  'fis.targets': 'fis',
  'alarm.state': 'cloudwatch',
  'healthcheck.status': 'route53',
  'metrics.sample': 'metrics',
  'ssm.automation': 'ssm',
  'route53.change': 'route53',
  'notification.sent': 'notification',
  note: 'person',
  correction: 'person',
};

/** One fact for the timeline; the detail may carry more than its kind requires. */
export interface Fact<K extends EventKind> {
  eventId: string;
  occurredAt: Date | string;
  summary: string;
  detail: EventKinds[K] & Record<string, unknown>;
}

/**
 * The ids that make each fact's row unique (kinds.ts documents the patterns). The same fact seen
 * twice (a retried step, two observations of the same minute) gets the same id and is stored once.
 */
export const eventIds = {
  step: (step: string, status: string, attempt: number) => `${eventIds.stepAttempts(step, status)}${attempt}`,
  /** The common prefix of `step` ids of every attempt. */
  stepAttempts: (step: string, status: string) => `step:${step}:${status}:`,
  preflight: (check: string) => `preflight:${check}`,
  refused: () => 'gameday:refused',
  stopRequested: (code: EventKinds['gameday.stop-requested']['code']) => `stop-requested:${code}`,
  failed: () => 'gameday:failed',
  recovery: (recovered: boolean) => `recovery:${recovered ? 'recovered' : 'not-recovered'}`,
  template: (templateId: string, action: string) => `fis:template:${templateId}:${action}`,
  experiment: (experimentId: string, status: string) => `fis:experiment:${experimentId}:${status}`,
  action: (experimentId: string, action: string, status: string) =>
    `fis:action:${experimentId}:${action}:${status}`,
  targets: (experimentId: string, target: string) => `fis:targets:${experimentId}:${target}`,
  alarm: (alarm: string, at: Date) => `alarm:${alarm}:${at.toISOString()}`,
  healthCheck: (id: string, at: Date) => `healthcheck:${id}:${at.toISOString()}`,
  metrics: (minute: Date) => `metrics:${minute.toISOString()}`,
  notification: (messageId: string) => `notification:${messageId}`,
};

/** The game day's incident timeline, seen from one step: typed facts in, deduplicated rows out. */
export class GameDayTimeline {
  readonly incidentId: string;
  readonly store: TimelineStore;

  constructor(store: TimelineStore, incidentId: string) {
    this.store = store;
    this.incidentId = incidentId;
  }

  /** Appends the fact; false when a fact with the same id is already there. */
  record<K extends EventKind>(kind: K, fact: Fact<K>): Promise<boolean> {
    const occurredAt = typeof fact.occurredAt === 'string' ? fact.occurredAt : fact.occurredAt.toISOString();
    return this.store.append(this.incidentId, {
      eventId: fact.eventId,
      occurredAt,
      source: SOURCE[kind],
      kind,
      summary: fact.summary,
      detail: fact.detail,
    });
  }
}
