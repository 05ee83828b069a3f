/**
 * The kinds of event on an incident timeline and the detail each carries. The game-day and
 * remediation handlers write them; the report reads them. `eventId` patterns make each fact's id
 * deterministic, so writing it twice stores it once.
 */
export interface EventKinds {
  /** A state-machine step: `step:<step>:<status>:<attempt>`. */
  'gameday.step': {
    step: string;
    status: 'started' | 'succeeded' | 'failed';
    attempt: number;
    error?: string;
    /** For states in a loop (Observe, VerifyRecovery): which time round this is. */
    iteration?: number;
    /** How long the handler ran (on `succeeded`/`failed`), when the writer measured it; the report prices Lambda time from it. */
    durationMs?: number;
  };
  /** One preflight check: `preflight:<name>`. */
  'gameday.preflight': { name: string; ok: boolean; detail: string };
  /** The game day was refused before anything was injected: `gameday:refused`. */
  'gameday.refused': { reasons: string[] };
  /** A guardrail tripped, the kill switch is set or the maximum duration passed: `stop-requested:<reason-code>`. */
  'gameday.stop-requested': {
    reason: string;
    code: 'guardrail' | 'kill-switch' | 'max-duration' | 'failure';
  };
  /** A step failed and the emergency path ran: `gameday:failed`. */
  'gameday.failed': { error: string; cause?: string; experimentStopped: boolean };
  /**
   * Recovery verification finished: `recovery:<recovered|not-recovered>`, at the poll that decided
   * it (when the steady state came back is read from the alarm, health-check and metric events).
   * `recoveredAt` (that poll's time) is written only by earlier versions.
   */
  'gameday.recovery': { recovered: boolean; faultEndedAt?: string; recoveredAt?: string; deadline: string };
  /** The FIS template used: `fis:template:<id>:<action>`. */
  'fis.template': { templateId: string; action: 'created' | 'updated' | 'unchanged' };
  /** Experiment state change: `fis:experiment:<id>:<status>`. */
  'fis.experiment': { experimentId: string; status: string; reason?: string };
  /** Action state change: `fis:action:<experimentId>:<action>:<status>`. */
  'fis.action': { experimentId: string; action: string; actionId: string; status: string; reason?: string };
  /** Which resources a target resolved to: `fis:targets:<experimentId>:<target>`. */
  'fis.targets': { experimentId: string; target: string; resourceType: string; resources: string[] };
  /** Alarm transition, from CloudWatch's alarm history: `alarm:<name>:<timestamp>`. */
  'alarm.state': { alarm: string; from: string; to: string; reason: string };
  /** Health check status change: `healthcheck:<id>:<at>`. */
  'healthcheck.status': { healthCheckId: string; name?: string; healthy: boolean };
  /** The service each minute: `metrics:<minute ISO>`. Missing values are null. */
  'metrics.sample': {
    /** Requests per second over the minute (the service's RequestCount ÷ 60). */
    requestRate: number | null;
    /** Share of requests answered with a 5xx, in percent (0–100). */
    errorRatePercent: number | null;
    p99LatencyMs: number | null;
    /** AZ → healthy hosts behind the load balancer in that AZ. */
    healthyHostsByAz: Record<string, number>;
    /** Aurora replica lag, the minute's maximum, in milliseconds. */
    replicaLagMs: number | null;
    /** A Lambda function's concurrent executions, when the experiment samples them. */
    concurrency?: number | null;
    /**
     * The experiment's extra metrics (`metrics.extra`), by name: the value (null without data) of
     * a metric of one line; series value → value for one drawn per dimension value, without the
     * lines that had no data. Only when the experiment declares some.
     */
    extra?: Record<string, number | null | Record<string, number>>;
  };
  /** SSM Automation execution status: `ssm:<executionId>:<status>`. */
  'ssm.automation': { executionId: string; document: string; status: string };
  /** Route 53 change status: `route53:change:<id>:<status>`. */
  'route53.change': { changeId: string; status: 'PENDING' | 'INSYNC' };
  /** A notification published: `notification:<messageId>`. */
  'notification.sent': { topicArn: string; messageId: string; subject: string };
  /**
   * A person's note: `note:<uuid>`. `writtenAt` when it was written after the incident closed
   * (it is then placed at the close: src/timeline/notes.ts).
   */
  note: { author: string; text: string; writtenAt?: string };
  /** A person's correction of an automatic event (which stays visible): `correction:<uuid>`. */
  correction: { author: string; text: string; writtenAt?: string };
}

export type EventKind = keyof EventKinds;

/**
 * What the remediation flow (state-machines/remediation.asl.json) writes, on the incident it
 * attached to (its own, or the game day's it ran during). Every id starts with
 * `remediation:<remediationId>:<n>:` (the execution's name, then the step's number, which keeps the
 * steps of one instant in order), so several remediations share a timeline without colliding; the
 * ids below leave out the number. Kept apart from EventKinds so that writers keyed on every game-day kind need
 * not know them.
 */
export interface RemediationEventKinds {
  /** The event matched a runbook (`remediation:<id>:triage`), or matched none (on the day's dropped-events timeline). */
  'remediation.triage': {
    remediationId: string;
    matched: boolean;
    runbook?: string;
    reason?: string;
    /** The EventBridge event's id, when it had one. */
    eventId?: string;
    /** What it is about (a matched event): the alarm or experiment, the state it went to, and when. */
    subject?: { kind: 'alarm' | 'experiment'; name: string; state: string; at: string };
  };
  /** Where the remediation records: `remediation:<id>:attached`. */
  'remediation.attached': { remediationId: string; runbook: string; incidentKind: 'gameday' | 'remediation' };
  /** Kill switch, duplicate, circuit breaker and rate limits: `remediation:<id>:guard`. */
  'remediation.guard': {
    remediationId: string;
    runbook: string;
    verdict: 'proceed' | 'kill-switch' | 'duplicate' | 'held-back';
    reason: string;
    /** The breaker let this one through as its half-open trial. */
    trial?: boolean;
  };
  /**
   * `remediation:<id>:approval:<status>`; a request (`…:approval:requested:<token digest>`) carries
   * the task token that answers it (a retried request has a new one: the newest counts).
   */
  'remediation.approval': {
    remediationId: string;
    runbook: string;
    status: 'requested' | 'rejected' | 'timed-out';
    taskToken?: string;
    reason?: string;
  };
  /** `remediation:<id>:action:<outcome>`: started, refused at the last moment, or what a dry run would have done. */
  'remediation.action': {
    remediationId: string;
    runbook: string;
    outcome: 'started' | 'refused' | 'dry-run';
    action: 'automation' | 'failover';
    executionId?: string;
    changeId?: string;
    reason?: string;
  };
  /** Verification finished: `remediation:<id>:verify:<verified|not-verified>`. */
  'remediation.verify': {
    remediationId: string;
    runbook: string;
    verified: boolean;
    deadline: string;
    /** Alarms not OK and health checks not healthy at the last look. */
    pending: string[];
  };
  /** `remediation:<id>:resolved`; the incident is closed only when the remediation opened it. */
  'remediation.resolved': { remediationId: string; runbook: string; closedIncident: boolean };
  /** Verification failed, a person takes over: `remediation:<id>:escalated`. */
  'remediation.escalated': { remediationId: string; runbook: string; reason: string };
  /** A step failed: `remediation:<id>:failed`. */
  'remediation.failed': {
    remediationId: string;
    runbook?: string;
    error: string;
    cause?: string;
    /** The EventBridge event's id, when it had one (a remediation that failed before triage recorded it). */
    eventId?: string;
  };
}

export type RemediationEventKind = keyof RemediationEventKinds;

/**
 * A person's approval of a remediation action, asked for with a Step Functions task token and
 * answered by `faultline approve|reject` (src/timeline/approvals.ts builds the ids and events).
 * Kept apart from EventKinds, like RemediationEventKinds.
 */
export interface ApprovalEventKinds {
  /**
   * An approval is asked for: `approval:requested:<key>`, the key being `approvalKey(taskToken)`.
   * Times are ISO-8601 UTC; after `expiresAt` the token no longer answers (a timeout is a rejection).
   */
  'approval.requested': {
    taskToken: string;
    runbook: string;
    action: string;
    requestedAt: string;
    expiresAt: string;
  };
  /** Approved: `approval:answer:<key>` (one answer per request, whichever it is). */
  'approval.given': { by: string; note?: string; runbook: string; action: string; requestEventId: string };
  /** Rejected: `approval:answer:<key>`; the waiting task fails with `ApprovalRejected`. */
  'approval.rejected': {
    by: string;
    reason?: string;
    runbook: string;
    action: string;
    requestEventId: string;
  };
}

export type ApprovalEventKind = keyof ApprovalEventKinds;
