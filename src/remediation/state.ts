import * as z from '../zod.ts';

/**
 * The document that flows through the remediation state machine. The execution input is the
 * EventBridge event itself; the first state wraps it as `{ remediationId, event }` and each Task
 * adds its result under its own key (its ResultPath in state-machines/remediation.asl.json).
 * The event stays `unknown` here: triage reads it and turns anything malformed into a reason.
 */
const plannedAction = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('automation'),
    document: z.string(),
    version: z.optional(z.string()),
    parameters: z.record(z.string(), z.array(z.string())),
  }),
  z.object({
    kind: z.literal('failover'),
    hostedZone: z.string(),
    record: z.string(),
    type: z.string(),
    primary: z.string(),
    secondary: z.string(),
    healthCheck: z.string(),
  }),
]);

const windowed = z.object({ max: z.number(), windowMs: z.number() });

export const triageResult = z.discriminatedUnion('matched', [
  z.object({
    matched: z.literal(false),
    reason: z.string(),
    /** The day's dropped-events timeline the reason was recorded on. */
    recordedOn: z.string(),
  }),
  z.object({
    matched: z.literal(true),
    runbook: z.string(),
    resource: z.string(),
    /** Claimed before acting; the first (the transition) also derives the action's client token. */
    dedupeKeys: z.array(z.string()).check(z.minLength(1)),
    action: plannedAction,
    verify: z.object({
      withinMs: z.number(),
      alarms: z.array(z.string()),
      healthChecks: z.array(z.string()),
    }),
    approval: z.object({ required: z.boolean(), timeoutSeconds: z.int().check(z.positive()) }),
    dryRun: z.boolean(),
    limits: z.object({
      cooldownMs: z.number(),
      perResource: windowed,
      perRunbook: windowed,
      breaker: z.object({ failures: z.number(), windowMs: z.number(), halfOpenAfterMs: z.number() }),
    }),
    /** What the incident is about: the alarm transition or the experiment state change. */
    subject: z.object({
      kind: z.enum(['alarm', 'experiment']),
      name: z.string(),
      state: z.string(),
      /** When the alarm entered the state (or the event's time for an experiment). */
      at: z.string(),
      service: z.string(),
      eventId: z.string(),
    }),
  }),
]);
export type TriageResult = z.infer<typeof triageResult>;
export type Triaged = Extract<TriageResult, { matched: true }>;

export const attachResult = z.object({
  incidentId: z.string(),
  kind: z.enum(['gameday', 'remediation']),
});

export const guardResult = z.object({
  verdict: z.enum(['proceed', 'kill-switch', 'duplicate', 'held-back']),
  reason: z.string(),
});
export type GuardResult = z.infer<typeof guardResult>;

export const actionResult = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('started'),
    kind: z.enum(['automation', 'failover']),
    /** SSM execution id or Route 53 change id. */
    id: z.string(),
    startedAt: z.string(),
  }),
  z.object({ outcome: z.enum(['refused', 'dry-run']), reason: z.string() }),
]);
export type ActionResult = z.infer<typeof actionResult>;

export const actionStatus = z.object({ status: z.string(), terminal: z.boolean() });

export const verifyResult = z.object({
  verified: z.boolean(),
  /** Verified, or the deadline has passed: no more looking. */
  done: z.boolean(),
  deadline: z.string(),
  pending: z.array(z.string()),
});
export type VerifyResult = z.infer<typeof verifyResult>;

/** A Catch's ResultPath: the error the failing state raised. */
export const failure = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export const remediationState = z.looseObject({
  /** The execution's name: unique per run, the owner of claims and slots, the prefix of event ids. */
  remediationId: z.string().check(z.minLength(1)),
  event: z.unknown(),
  triage: z.optional(triageResult),
  incident: z.optional(attachResult),
  guard: z.optional(guardResult),
  action: z.optional(actionResult),
  actionStatus: z.optional(actionStatus),
  verification: z.optional(verifyResult),
  /** Set by the approval state's Catch (rejected or timed out). */
  rejection: z.optional(failure),
  failure: z.optional(failure),
});
export type RemediationState = z.infer<typeof remediationState>;

/** The state of a step that only runs after triage matched and the incident was attached. */
export interface AttachedState extends RemediationState {
  triage: Triaged;
  incident: z.infer<typeof attachResult>;
}

/** Steps past AttachIncident: the state machine only gets there with both; anything else is a wiring mistake. */
export function attached(state: RemediationState): AttachedState {
  if (!state.triage?.matched || !state.incident)
    throw new Error('remediation state has no matched triage and attached incident: check the ASL wiring');
  return state as AttachedState;
}
