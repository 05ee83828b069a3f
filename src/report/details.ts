import { z } from 'zod';
import { describeIssue } from '../runtime/handler.ts';
import type { TimelineEvent } from '../timeline/event.ts';
import type { EventKind, EventKinds } from '../timeline/kinds.ts';
import { ReportInputError } from './errors.ts';

/**
 * The detail of each event kind the report interprets, as src/timeline/kinds.ts declares it. Typed
 * against EventKinds so the two cannot drift apart; extra fields are allowed (a newer writer may
 * add some), missing or mistyped ones are an error naming the event and the field.
 */
const schemas: { [K in EventKind]: z.ZodType<EventKinds[K]> } = {
  'gameday.step': z.object({
    step: z.string(),
    status: z.enum(['started', 'succeeded', 'failed']),
    attempt: z.number(),
    error: z.string().optional(),
    iteration: z.number().optional(),
    durationMs: z.number().nonnegative().optional(),
  }),
  'gameday.preflight': z.object({ name: z.string(), ok: z.boolean(), detail: z.string() }),
  'gameday.refused': z.object({ reasons: z.array(z.string()) }),
  'gameday.stop-requested': z.object({
    reason: z.string(),
    code: z.enum(['guardrail', 'kill-switch', 'max-duration', 'failure']),
  }),
  'gameday.failed': z.object({
    error: z.string(),
    cause: z.string().optional(),
    experimentStopped: z.boolean(),
  }),
  'gameday.recovery': z.object({
    recovered: z.boolean(),
    faultEndedAt: z.string().optional(),
    recoveredAt: z.string().optional(),
    deadline: z.string(),
  }),
  'fis.template': z.object({ templateId: z.string(), action: z.enum(['created', 'updated', 'unchanged']) }),
  'fis.experiment': z.object({ experimentId: z.string(), status: z.string(), reason: z.string().optional() }),
  'fis.action': z.object({
    experimentId: z.string(),
    action: z.string(),
    actionId: z.string(),
    status: z.string(),
    reason: z.string().optional(),
  }),
  'fis.targets': z.object({
    experimentId: z.string(),
    target: z.string(),
    resourceType: z.string(),
    resources: z.array(z.string()),
  }),
  'alarm.state': z.object({ alarm: z.string(), from: z.string(), to: z.string(), reason: z.string() }),
  'healthcheck.status': z.object({
    healthCheckId: z.string(),
    name: z.string().optional(),
    healthy: z.boolean(),
  }),
  'metrics.sample': z.object({
    requestRate: z.number().nullable(),
    errorRatePercent: z.number().nullable(),
    p99LatencyMs: z.number().nullable(),
    healthyHostsByAz: z.record(z.string(), z.number()),
    replicaLagMs: z.number().nullable(),
  }),
  'ssm.automation': z.object({ executionId: z.string(), document: z.string(), status: z.string() }),
  'route53.change': z.object({ changeId: z.string(), status: z.enum(['PENDING', 'INSYNC']) }),
  'notification.sent': z.object({ topicArn: z.string(), messageId: z.string(), subject: z.string() }),
  note: z.object({ author: z.string(), text: z.string() }),
  correction: z.object({ author: z.string(), text: z.string() }),
};

/** An event's detail parsed as its kind declares it, tagged with the kind so a switch narrows it. */
export type TypedDetail = { [K in EventKind]: { kind: K; detail: EventKinds[K] } }[EventKind];

/**
 * The event's detail as its kind declares it, or undefined for a kind the report does not
 * interpret (it is still shown by its summary). A mismatch is a ReportInputError naming the event
 * and the field.
 */
export function typedDetail(event: TimelineEvent): TypedDetail | undefined {
  if (!Object.hasOwn(schemas, event.kind)) return undefined;
  const kind = event.kind as EventKind;
  const parsed = schemas[kind].safeParse(event.detail);
  if (!parsed.success) {
    throw new ReportInputError(
      `timeline event '${event.eventId}' (${kind}): detail.${describeIssue(parsed.error)}`,
    );
  }
  return { kind, detail: parsed.data } as TypedDetail;
}
