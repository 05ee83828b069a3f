import { timelineEvent } from '../timeline/event.ts';
import * as z from '../zod.ts';
import type { Analysis, ImpactBound } from './analysis.ts';
import { incidentType } from './attributes.ts';
import { sampleExtra } from './details.ts';
import type { MinuteRow } from './minutes.ts';
import { MOMENT_NAMES } from './moments.ts';
import { REMEDIATION_OUTCOMES, type RemediationRun } from './remediations.ts';

/**
 * The JSON form of the report, for other tools, documented field by field in
 * docs/report-schema.md. The schema is strict, so any change to it (a field added, removed,
 * renamed or changing meaning) bumps REPORT_SCHEMA_VERSION and the document.
 */
export const REPORT_SCHEMA_VERSION = 4;

const time = z.iso.datetime();
const nullableTime = z.nullable(time);

/**
 * The verdict a game day's caller (the CLI, CI) acts on. `injected` and the experiment's `reason`
 * came with version 4: the verdicts stored on earlier incidents lack them, and are still read.
 */
export const reportVerdict = z.strictObject({
  hypothesis: z.enum(['held', 'deviated', 'untested']),
  /** False when a game day injected nothing (src/report/injection.ts); true for an incident. */
  injected: z.optional(z.boolean()),
  rto: z.strictObject({
    objectiveSeconds: z.nullable(z.number()),
    achievedSeconds: z.nullable(z.number()),
    met: z.nullable(z.boolean()),
  }),
  faultStopped: z.boolean(),
  experiment: z.strictObject({
    id: z.nullable(z.string()),
    finalStatus: z.nullable(z.string()),
    /** FIS's reason for the final status (why it failed). */
    reason: z.optional(z.nullable(z.string())),
  }),
});

export type ReportVerdict = z.infer<typeof reportVerdict>;

const extremeAt = z.strictObject({ value: z.number(), at: time });
const extreme = z.nullable(extremeAt);
const impactBound = z.strictObject({ at: time, eventId: z.nullable(z.string()), evidence: z.string() });

const remediation = z.strictObject({
  remediationId: z.string(),
  runbook: z.nullable(z.string()),
  trigger: z.strictObject({
    kind: z.nullable(z.enum(['alarm', 'experiment'])),
    name: z.nullable(z.string()),
    state: z.nullable(z.string()),
    at: nullableTime,
    eventId: z.nullable(z.string()),
  }),
  triagedAt: nullableTime,
  resource: z.nullable(z.string()),
  guard: z.nullable(
    z.strictObject({
      at: time,
      verdict: z.enum(['proceed', 'kill-switch', 'duplicate', 'held-back']),
      reason: z.string(),
      trial: z.boolean(),
    }),
  ),
  approval: z.nullable(
    z.strictObject({
      requestedAt: time,
      expiresAt: nullableTime,
      answer: z.enum(['approved', 'rejected', 'timed-out', 'pending']),
      answeredAt: nullableTime,
      by: z.nullable(z.string()),
      text: z.nullable(z.string()),
      waitedSeconds: z.nullable(z.number()),
    }),
  ),
  action: z.strictObject({
    kind: z.nullable(z.enum(['automation', 'failover'])),
    target: z.nullable(z.string()),
    executionId: z.nullable(z.string()),
    changeId: z.nullable(z.string()),
    outcome: z.nullable(z.enum(['started', 'refused', 'dry-run'])),
    startedAt: nullableTime,
    endedAt: nullableTime,
    finalStatus: z.nullable(z.string()),
    reason: z.nullable(z.string()),
  }),
  verification: z.nullable(
    z.strictObject({
      at: time,
      verified: z.boolean(),
      deadline: z.string(),
      pending: z.array(z.string()),
      recoveredAt: nullableTime,
    }),
  ),
  outcome: z.enum(REMEDIATION_OUTCOMES),
  outcomeAt: nullableTime,
  reason: z.nullable(z.string()),
  durations: z.strictObject({
    triggerToActionSeconds: z.nullable(z.number()),
    actionSeconds: z.nullable(z.number()),
    actionToRecoveredSeconds: z.nullable(z.number()),
    totalSeconds: z.nullable(z.number()),
  }),
});

const sample = z.strictObject({
  requestRate: z.nullable(z.number()),
  errorRatePercent: z.nullable(z.number()),
  p99LatencyMs: z.nullable(z.number()),
  healthyHostsByAz: z.record(z.string(), z.number()),
  replicaLagMs: z.nullable(z.number()),
  concurrency: z.optional(z.nullable(z.number())),
  extra: z.optional(sampleExtra),
});

export const reportJson = z.strictObject({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  incident: z.strictObject({
    incidentId: z.string(),
    /** A game day run dry is a kind of its own: nothing was injected or measured. */
    kind: z.enum(['gameday', 'dry-run', 'remediation']),
    title: z.string(),
    service: z.string(),
    status: z.string(),
    openedAt: time,
    closedAt: nullableTime,
    experiment: z.nullable(z.string()),
    description: z.nullable(z.string()),
  }),
  timeZone: z.string(),
  timeline: z.strictObject({
    eventsKept: z.int(),
    repeatsDropped: z.int(),
    firstEventAt: nullableTime,
    lastEventAt: nullableTime,
  }),
  verdict: reportVerdict,
  keyMoments: z.array(
    z.strictObject({
      name: z.enum(MOMENT_NAMES),
      label: z.string(),
      at: nullableTime,
      eventId: z.nullable(z.string()),
      evidence: z.nullable(z.string()),
      definition: z.string(),
    }),
  ),
  durations: z.array(
    z.strictObject({
      name: z.enum(['timeToDetect', 'timeToRespond', 'timeToMitigate', 'timeToRecover', 'timeToResolve']),
      label: z.string(),
      to: z.enum(MOMENT_NAMES),
      seconds: z.nullable(z.number()),
      definition: z.string(),
      note: z.nullable(z.string()),
    }),
  ),
  orderCheck: z.strictObject({ ok: z.boolean(), problems: z.array(z.string()) }),
  objectives: z.strictObject({
    rto: z.strictObject({
      objectiveSeconds: z.nullable(z.number()),
      achievedSeconds: z.nullable(z.number()),
      met: z.nullable(z.boolean()),
      faultEndedAt: nullableTime,
      recoveredAt: nullableTime,
      definition: z.string(),
      note: z.nullable(z.string()),
    }),
    rpo: z.strictObject({
      objectiveSeconds: z.nullable(z.number()),
      achievedSeconds: z.nullable(z.number()),
      met: z.nullable(z.boolean()),
      failoverAt: nullableTime,
      failoverEventId: z.nullable(z.string()),
      definition: z.string(),
      note: z.nullable(z.string()),
    }),
    errorBudget: z.strictObject({
      availabilitySlo: z.nullable(z.number()),
      windowSeconds: z.number(),
      baselineRequestRate: z.nullable(z.number()),
      baselineSource: z.nullable(z.enum(['attributes', 'samples before impact', 'all samples'])),
      allowedErrors: z.nullable(z.number()),
      errorsDuringIncident: z.nullable(z.number()),
      spentPercent: z.nullable(z.number()),
      from: nullableTime,
      to: nullableTime,
      formula: z.string(),
      note: z.nullable(z.string()),
    }),
  }),
  impact: z.nullable(
    z.strictObject({
      basis: z.enum(['signals', 'fault']),
      from: time,
      to: time,
      start: impactBound,
      end: z.nullable(impactBound),
      recovered: z.boolean(),
      outsideBounds: z.nullable(z.strictObject({ from: time, to: time, minutes: z.int() })),
      peakErrorRatePercent: extreme,
      worstP99LatencyMs: extreme,
      fewestHealthyHosts: extreme,
      lowestRequestRate: extreme,
      maxReplicaLagMs: extreme,
      /** Only when the experiment declares extra metrics. */
      extraMetrics: z.optional(
        z.array(
          z.strictObject({
            name: z.string(),
            series: z.nullable(z.string()),
            lowest: extremeAt,
            highest: extremeAt,
            unsampledMinutes: z.number(),
          }),
        ),
      ),
    }),
  ),
  faultWindow: z.nullable(z.strictObject({ from: time, to: time, ongoing: z.boolean() })),
  hypothesis: z.strictObject({
    verdict: z.enum(['held', 'deviated', 'untested']),
    definition: z.string(),
    reasons: z.array(z.string()),
    checks: z.array(
      z.strictObject({
        subject: z.string(),
        kind: z.enum(['alarm', 'healthCheck', 'metric', 'recovery']),
        phase: z.enum(['before', 'during', 'after']),
        held: z.nullable(z.boolean()),
        detail: z.string(),
      }),
    ),
    episodes: z.array(
      z.strictObject({
        subject: z.string(),
        kind: z.enum(['alarm', 'healthCheck']),
        state: z.string(),
        from: time,
        to: nullableTime,
      }),
    ),
  }),
  automation: z.strictObject({
    experiment: z.strictObject({
      id: z.nullable(z.string()),
      finalStatus: z.nullable(z.string()),
      endedAt: nullableTime,
      reason: z.nullable(z.string()),
    }),
    faultStopped: z.boolean(),
    template: z.nullable(z.strictObject({ templateId: z.string(), action: z.string() })),
    actions: z.array(
      z.strictObject({
        experimentId: z.string(),
        action: z.string(),
        actionId: z.string(),
        startedAt: nullableTime,
        endedAt: nullableTime,
        finalStatus: z.string(),
        reason: z.nullable(z.string()),
        runningMinutes: z.nullable(z.number()),
        ongoing: z.boolean(),
        injected: z.boolean(),
      }),
    ),
    targets: z.array(
      z.strictObject({
        experimentId: z.string(),
        target: z.string(),
        resourceType: z.string(),
        resources: z.array(z.string()),
      }),
    ),
    steps: z.array(
      z.strictObject({
        step: z.string(),
        invocations: z.int(),
        failed: z.int(),
        measuredMs: z.number(),
        unmeasured: z.int(),
      }),
    ),
    stopRequests: z.array(z.strictObject({ at: time, reason: z.string(), code: z.string() })),
    failures: z.array(
      z.strictObject({
        at: time,
        error: z.string(),
        cause: z.nullable(z.string()),
        experimentStopped: z.boolean(),
      }),
    ),
    preflight: z.array(z.strictObject({ name: z.string(), ok: z.boolean(), detail: z.string() })),
    refusedReasons: z.nullable(z.array(z.string())),
    notifications: z.int(),
    notes: z.int(),
  }),
  remediations: z.array(remediation),
  cost: z.strictObject({
    currency: z.literal('USD'),
    prices: z.strictObject({
      fisActionMinute: z.number(),
      stepFunctionsTransition: z.number(),
      lambdaGbSecond: z.number(),
      lambdaRequest: z.number(),
      lambdaMemoryMb: z.number(),
      lambdaAssumedMs: z.number(),
    }),
    lines: z.array(
      z.strictObject({
        item: z.string(),
        quantity: z.number(),
        unit: z.string(),
        unitPriceDollars: z.number(),
        dollars: z.number(),
        basis: z.string(),
      }),
    ),
    totalDollars: z.number(),
  }),
  /** The experiment's extra metrics, as declared (`metrics.extra`); only when it declares some. */
  extraMetrics: z.optional(
    z.array(
      z.strictObject({
        name: z.string(),
        title: z.string(),
        unit: z.string(),
        namespace: z.string(),
        metric: z.string(),
        dimensions: z.record(z.string(), z.string()),
        statistic: z.string(),
        series: z.nullable(z.strictObject({ dimension: z.string(), values: z.array(z.string()) })),
      }),
    ),
  ),
  minutes: z.array(
    z.strictObject({
      from: time,
      to: time,
      minutes: z.int().check(z.positive()),
      folded: z.boolean(),
      sample: z.nullable(sample),
      eventIds: z.array(z.string()),
    }),
  ),
  events: z.array(timelineEvent),
});

export type ReportJson = z.infer<typeof reportJson>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const boundJson = (b: ImpactBound) => ({ ...b, at: iso(b.at) });

function remediationJson(r: RemediationRun): z.infer<typeof remediation> {
  return {
    ...r,
    trigger: { ...r.trigger, at: isoOrNull(r.trigger.at) },
    triagedAt: isoOrNull(r.triagedAt),
    guard: r.guard && { ...r.guard, at: iso(r.guard.at) },
    approval: r.approval && {
      ...r.approval,
      requestedAt: iso(r.approval.requestedAt),
      expiresAt: isoOrNull(r.approval.expiresAt),
      answeredAt: isoOrNull(r.approval.answeredAt),
    },
    action: { ...r.action, startedAt: isoOrNull(r.action.startedAt), endedAt: isoOrNull(r.action.endedAt) },
    verification: r.verification && {
      ...r.verification,
      pending: [...r.verification.pending],
      at: iso(r.verification.at),
      recoveredAt: isoOrNull(r.verification.recoveredAt),
    },
    outcomeAt: isoOrNull(r.outcomeAt),
    durations: { ...r.durations },
  };
}

export function verdictOf(a: Analysis): ReportVerdict {
  const { rto } = a.objectives;
  return {
    hypothesis: a.hypothesis.verdict,
    injected: a.injection.injected,
    rto: { objectiveSeconds: rto.objectiveSeconds, achievedSeconds: rto.achievedSeconds, met: rto.met },
    faultStopped: a.automation.faultStopped,
    experiment: {
      id: a.automation.experiment.id,
      finalStatus: a.automation.experiment.finalStatus,
      reason: a.automation.experiment.reason,
    },
  };
}

/**
 * The report's JSON document (times in UTC ISO-8601; `timeZone` says how the other forms show
 * them). Duplicates are not counted in it: the same events written twice give the same document.
 */
export function reportJsonOf(a: Analysis, rows: readonly MinuteRow[]): ReportJson {
  const inc = a.incident;
  const { rto, rpo, errorBudget: eb } = a.objectives;
  const auto = a.automation;
  const ext = (e: { value: number; at: number } | null) => (e ? { value: e.value, at: iso(e.at) } : null);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    incident: {
      incidentId: inc.incidentId,
      kind: incidentType(inc),
      title: inc.title,
      service: inc.service,
      status: inc.status,
      openedAt: inc.openedAt,
      closedAt: inc.closedAt ?? null,
      experiment: a.attrs.experimentName,
      description: a.attrs.description,
    },
    timeZone: a.zone.timeZone,
    timeline: {
      eventsKept: a.facts.length,
      repeatsDropped: a.repeatsDropped,
      firstEventAt: a.span ? iso(a.span.from) : null,
      lastEventAt: a.span ? iso(a.span.to) : null,
    },
    verdict: verdictOf(a),
    keyMoments: a.moments.map((m) => ({ ...m, at: isoOrNull(m.at) })),
    durations: a.durations.map((d) => ({ ...d })),
    orderCheck: { ok: a.orderProblems.length === 0, problems: [...a.orderProblems] },
    objectives: {
      rto: { ...rto, faultEndedAt: isoOrNull(rto.faultEndedAt), recoveredAt: isoOrNull(rto.recoveredAt) },
      rpo: { ...rpo, failoverAt: isoOrNull(rpo.failoverAt) },
      errorBudget: {
        availabilitySlo: eb.slo,
        windowSeconds: eb.windowSeconds,
        baselineRequestRate: eb.baselineRequestRate,
        baselineSource: eb.baselineSource,
        allowedErrors: eb.allowedErrors,
        errorsDuringIncident: eb.errorsDuringIncident,
        spentPercent: eb.spentPercent,
        from: isoOrNull(eb.from),
        to: isoOrNull(eb.to),
        formula: eb.formula,
        note: eb.note,
      },
    },
    impact: a.impact && {
      basis: a.impact.basis,
      from: iso(a.impact.from),
      to: iso(a.impact.to),
      start: boundJson(a.impact.start),
      end: a.impact.end && boundJson(a.impact.end),
      recovered: a.impact.recovered,
      outsideBounds: a.impact.outsideBounds && {
        from: iso(a.impact.outsideBounds.from),
        to: iso(a.impact.outsideBounds.to),
        minutes: a.impact.outsideBounds.minutes,
      },
      peakErrorRatePercent: ext(a.impact.peakErrorRatePercent),
      worstP99LatencyMs: ext(a.impact.worstP99LatencyMs),
      fewestHealthyHosts: ext(a.impact.fewestHealthyHosts),
      lowestRequestRate: ext(a.impact.lowestRequestRate),
      maxReplicaLagMs: ext(a.impact.maxReplicaLagMs),
      ...(a.attrs.extraMetrics.length > 0
        ? {
            extraMetrics: a.impact.extraMetrics.map((x) => ({
              ...x,
              lowest: ext(x.lowest)!,
              highest: ext(x.highest)!,
            })),
          }
        : {}),
    },
    faultWindow: a.faultWindow && {
      from: iso(a.faultWindow.from),
      to: iso(a.faultWindow.to),
      ongoing: a.faultWindow.ongoing,
    },
    hypothesis: {
      verdict: a.hypothesis.verdict,
      definition: a.hypothesis.definition,
      reasons: [...a.hypothesis.reasons],
      checks: a.hypothesis.checks.map((c) => ({ ...c })),
      episodes: a.episodes.map((e) => ({ ...e, from: iso(e.from), to: isoOrNull(e.to) })),
    },
    automation: {
      experiment: { ...auto.experiment, endedAt: isoOrNull(auto.experiment.endedAt) },
      faultStopped: auto.faultStopped,
      template: auto.template,
      actions: auto.actions.map((x) => ({
        ...x,
        startedAt: isoOrNull(x.startedAt),
        endedAt: isoOrNull(x.endedAt),
      })),
      targets: auto.targets,
      steps: auto.steps,
      stopRequests: auto.stopRequests.map((s) => ({ ...s, at: iso(s.at) })),
      failures: auto.failures.map((f) => ({ ...f, at: iso(f.at) })),
      preflight: auto.preflight,
      refusedReasons: auto.refusedReasons,
      notifications: auto.notifications,
      notes: auto.notes,
    },
    remediations: a.remediations.runs.map(remediationJson),
    cost: a.cost,
    ...(a.attrs.extraMetrics.length > 0
      ? { extraMetrics: a.attrs.extraMetrics.map((x) => ({ ...x, series: x.series ?? null })) }
      : {}),
    minutes: rows.map((r) => ({
      from: iso(r.from),
      to: iso(r.to),
      minutes: r.minutes,
      folded: r.folded,
      sample: r.sample,
      eventIds: r.facts.map((f) => f.event.eventId),
    })),
    events: a.facts.map((f) => f.event),
  };
}
