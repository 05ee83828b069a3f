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
  /** Recovery verification finished: `recovery:<recovered|not-recovered>`. */
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
  };
  /** SSM Automation execution status: `ssm:<executionId>:<status>`. */
  'ssm.automation': { executionId: string; document: string; status: string };
  /** Route 53 change status: `route53:change:<id>:<status>`. */
  'route53.change': { changeId: string; status: 'PENDING' | 'INSYNC' };
  /** A notification published: `notification:<messageId>`. */
  'notification.sent': { topicArn: string; messageId: string; subject: string };
  /** A person's note: `note:<uuid>`. */
  note: { author: string; text: string };
  /** A person's correction of an automatic event (which stays visible): `correction:<uuid>`. */
  correction: { author: string; text: string };
}

export type EventKind = keyof EventKinds;
