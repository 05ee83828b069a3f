import { describeIssue } from '../runtime/input-error.ts';
import type { TimelineEvent } from '../timeline/event.ts';
import type { ApprovalEventKinds, EventKinds, RemediationEventKinds } from '../timeline/kinds.ts';
import * as z from '../zod.ts';
import { ReportInputError } from './errors.ts';

/** Every kind the report interprets: the game day's, the remediation flow's and the approvals'. */
export type ReportKinds = EventKinds & RemediationEventKinds & ApprovalEventKinds;
export type ReportKind = keyof ReportKinds;

/** A metrics sample's extra metrics (src/timeline/kinds.ts), as the events and report.json carry them. */
export const sampleExtra = z.record(
  z.string(),
  z.union([z.nullable(z.number()), z.record(z.string(), z.number())]),
);

/**
 * The detail of each event kind the report interprets, as src/timeline/kinds.ts declares it. Typed
 * against the kinds so the two cannot drift apart; extra fields are allowed (a newer writer may
 * add some), missing or mistyped ones are an error naming the event and the field.
 */
const schemas: { [K in ReportKind]: z.ZodMiniType<ReportKinds[K]> } = {
  'gameday.step': z.object({
    step: z.string(),
    status: z.enum(['started', 'succeeded', 'failed']),
    attempt: z.number(),
    error: z.optional(z.string()),
    iteration: z.optional(z.number()),
    durationMs: z.optional(z.number().check(z.nonnegative())),
  }),
  'gameday.preflight': z.object({ name: z.string(), ok: z.boolean(), detail: z.string() }),
  'gameday.refused': z.object({ reasons: z.array(z.string()) }),
  'gameday.stop-requested': z.object({
    reason: z.string(),
    code: z.enum(['guardrail', 'kill-switch', 'max-duration', 'failure']),
  }),
  'gameday.failed': z.object({
    error: z.string(),
    cause: z.optional(z.string()),
    experimentStopped: z.boolean(),
  }),
  'gameday.recovery': z.object({
    recovered: z.boolean(),
    faultEndedAt: z.optional(z.string()),
    recoveredAt: z.optional(z.string()),
    deadline: z.string(),
  }),
  'fis.template': z.object({ templateId: z.string(), action: z.enum(['created', 'updated', 'unchanged']) }),
  'fis.experiment': z.object({
    experimentId: z.string(),
    status: z.string(),
    reason: z.optional(z.string()),
  }),
  'fis.action': z.object({
    experimentId: z.string(),
    action: z.string(),
    actionId: z.string(),
    status: z.string(),
    reason: z.optional(z.string()),
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
    name: z.optional(z.string()),
    healthy: z.boolean(),
  }),
  'metrics.sample': z.object({
    requestRate: z.nullable(z.number()),
    errorRatePercent: z.nullable(z.number()),
    p99LatencyMs: z.nullable(z.number()),
    healthyHostsByAz: z.record(z.string(), z.number()),
    replicaLagMs: z.nullable(z.number()),
    concurrency: z.optional(z.nullable(z.number())),
    extra: z.optional(sampleExtra),
  }),
  'ssm.automation': z.object({ executionId: z.string(), document: z.string(), status: z.string() }),
  'route53.change': z.object({ changeId: z.string(), status: z.enum(['PENDING', 'INSYNC']) }),
  'notification.sent': z.object({ topicArn: z.string(), messageId: z.string(), subject: z.string() }),
  note: z.object({ author: z.string(), text: z.string(), writtenAt: z.optional(z.iso.datetime()) }),
  correction: z.object({ author: z.string(), text: z.string(), writtenAt: z.optional(z.iso.datetime()) }),
  'remediation.triage': z.object({
    remediationId: z.string(),
    matched: z.boolean(),
    runbook: z.optional(z.string()),
    reason: z.optional(z.string()),
    eventId: z.optional(z.string()),
  }),
  'remediation.attached': z.object({
    remediationId: z.string(),
    runbook: z.string(),
    incidentKind: z.enum(['gameday', 'remediation']),
  }),
  'remediation.guard': z.object({
    remediationId: z.string(),
    runbook: z.string(),
    verdict: z.enum(['proceed', 'kill-switch', 'duplicate', 'held-back']),
    reason: z.string(),
    trial: z.optional(z.boolean()),
  }),
  'remediation.approval': z.object({
    remediationId: z.string(),
    runbook: z.string(),
    status: z.enum(['requested', 'rejected', 'timed-out']),
    taskToken: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
  'remediation.action': z.object({
    remediationId: z.string(),
    runbook: z.string(),
    outcome: z.enum(['started', 'refused', 'dry-run']),
    action: z.enum(['automation', 'failover']),
    executionId: z.optional(z.string()),
    changeId: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
  'remediation.verify': z.object({
    remediationId: z.string(),
    runbook: z.string(),
    verified: z.boolean(),
    deadline: z.string(),
    pending: z.array(z.string()),
  }),
  'remediation.resolved': z.object({
    remediationId: z.string(),
    runbook: z.string(),
    closedIncident: z.boolean(),
  }),
  'remediation.escalated': z.object({ remediationId: z.string(), runbook: z.string(), reason: z.string() }),
  'remediation.failed': z.object({
    remediationId: z.string(),
    runbook: z.optional(z.string()),
    error: z.string(),
    cause: z.optional(z.string()),
  }),
  'approval.requested': z.object({
    taskToken: z.string(),
    runbook: z.string(),
    action: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string(),
  }),
  'approval.given': z.object({
    by: z.string(),
    note: z.optional(z.string()),
    runbook: z.string(),
    action: z.string(),
    requestEventId: z.string(),
  }),
  'approval.rejected': z.object({
    by: z.string(),
    reason: z.optional(z.string()),
    runbook: z.string(),
    action: z.string(),
    requestEventId: z.string(),
  }),
};

/** An event's detail parsed as its kind declares it, tagged with the kind so a switch narrows it. */
export type TypedDetail = { [K in ReportKind]: { kind: K; detail: ReportKinds[K] } }[ReportKind];

/**
 * The event's detail as its kind declares it, or undefined for a kind the report does not
 * interpret (it is still shown by its summary). A mismatch is a ReportInputError naming the event
 * and the field.
 */
export function typedDetail(event: TimelineEvent): TypedDetail | undefined {
  if (!Object.hasOwn(schemas, event.kind)) return undefined;
  const kind = event.kind as ReportKind;
  const parsed = schemas[kind].safeParse(event.detail);
  if (!parsed.success) {
    throw new ReportInputError(
      `timeline event '${event.eventId}' (${kind}): detail.${describeIssue(parsed.error)}`,
    );
  }
  return { kind, detail: parsed.data } as TypedDetail;
}
