import * as z from '../zod.ts';

/** Where a timeline event came from. */
export const eventSource = z.enum([
  'gameday',
  'remediation',
  'fis',
  'cloudwatch',
  'route53',
  'ssm',
  'ec2',
  'metrics',
  'notification',
  'approval',
  'person',
]);

/**
 * One row of an incident's timeline. Automatic events are never edited: a person adds a `note`,
 * or a `correction` that names the event it corrects (`corrects`), and both stay visible.
 */
export const timelineEvent = z.strictObject({
  incidentId: z.string().check(z.minLength(1)),
  /**
   * Deterministic id, the dedupe key: the same fact written twice (a retried Lambda, a duplicate
   * EventBridge delivery) has the same id and is stored once. E.g.
   * `alarm:checkout-5xx-rate:2026-01-05T09:12:00.000Z`.
   */
  eventId: z.string().check(z.minLength(1), z.maxLength(512)),
  /** When the thing happened, ISO-8601 UTC. The timeline is ordered by this, then by `seq` (src/timeline/order.ts). */
  occurredAt: z.iso.datetime(),
  /** When faultline wrote it, ISO-8601 UTC. */
  recordedAt: z.iso.datetime(),
  /**
   * The order it was written in on its incident (1, 2, …; gaps are writes that found the event
   * already there): the store hands it out, and it orders the events of one millisecond. Absent
   * on events written before faultline numbered them.
   */
  seq: z.optional(z.int().check(z.gte(1))),
  source: eventSource,
  /** Dotted kind, e.g. `gameday.step`, `fis.experiment`, `alarm.state`, `metrics.sample`, `note`. */
  kind: z.string().check(z.minLength(1)),
  /** One line a person reads. */
  summary: z.string(),
  detail: z._default(z.record(z.string(), z.unknown()), {}),
  corrects: z.optional(z.string()),
});

export type TimelineEvent = z.infer<typeof timelineEvent>;
export type NewTimelineEvent = Omit<z.input<typeof timelineEvent>, 'recordedAt' | 'incidentId' | 'seq'> & {
  recordedAt?: string;
};

export const incidentKind = z.enum(['gameday', 'remediation']);

/** The incident a timeline belongs to. */
export const incident = z.strictObject({
  incidentId: z.string().check(z.minLength(1)),
  kind: incidentKind,
  title: z.string(),
  service: z.string(),
  openedAt: z.iso.datetime(),
  status: z.enum(['open', 'resolved', 'failed', 'refused']),
  closedAt: z.optional(z.iso.datetime()),
  /** Free-form facts the report needs (experiment name, objectives, verdict, …). */
  attributes: z._default(z.record(z.string(), z.unknown()), {}),
});

export type Incident = z.infer<typeof incident>;
