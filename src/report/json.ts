import * as z from 'zod';
import { incidentKind, timelineEvent } from '../timeline/event.ts';
import type { Analysis } from './analysis.ts';
import type { MinuteRow } from './minutes.ts';
import { MOMENT_NAMES } from './moments.ts';
import { REMEDIATION_OUTCOMES, type RemediationRun } from './remediations.ts';

/**
 * The JSON form of the report, for other tools, documented field by field in
 * docs/report-schema.md. The schema is strict, so any change to it (a field added, removed,
 * renamed or changing meaning) bumps REPORT_SCHEMA_VERSION and the document.
 */
export const REPORT_SCHEMA_VERSION = 2;

const time = z.iso.datetime();
const nullableTime = time.nullable();

/** The verdict a game day's caller (the CLI, CI) acts on. */
export const reportVerdict = z
  .object({
    hypothesis: z.enum(['held', 'deviated', 'untested']),
    rto: z
      .object({
        objectiveSeconds: z.number().nullable(),
        achievedSeconds: z.number().nullable(),
        met: z.boolean().nullable(),
      })
      .strict(),
    faultStopped: z.boolean(),
    experiment: z.object({ id: z.string().nullable(), finalStatus: z.string().nullable() }).strict(),
  })
  .strict();

export type ReportVerdict = z.infer<typeof reportVerdict>;

const extreme = z.object({ value: z.number(), at: time }).strict().nullable();

const remediation = z
  .object({
    remediationId: z.string(),
    runbook: z.string().nullable(),
    trigger: z
      .object({
        kind: z.enum(['alarm', 'experiment']).nullable(),
        name: z.string().nullable(),
        state: z.string().nullable(),
        at: nullableTime,
        eventId: z.string().nullable(),
      })
      .strict(),
    triagedAt: nullableTime,
    resource: z.string().nullable(),
    guard: z
      .object({
        at: time,
        verdict: z.enum(['proceed', 'kill-switch', 'duplicate', 'held-back']),
        reason: z.string(),
        trial: z.boolean(),
      })
      .strict()
      .nullable(),
    approval: z
      .object({
        requestedAt: time,
        expiresAt: nullableTime,
        answer: z.enum(['approved', 'rejected', 'timed-out', 'pending']),
        answeredAt: nullableTime,
        by: z.string().nullable(),
        text: z.string().nullable(),
        waitedSeconds: z.number().nullable(),
      })
      .strict()
      .nullable(),
    action: z
      .object({
        kind: z.enum(['automation', 'failover']).nullable(),
        target: z.string().nullable(),
        executionId: z.string().nullable(),
        changeId: z.string().nullable(),
        outcome: z.enum(['started', 'refused', 'dry-run']).nullable(),
        startedAt: nullableTime,
        endedAt: nullableTime,
        finalStatus: z.string().nullable(),
        reason: z.string().nullable(),
      })
      .strict(),
    verification: z
      .object({
        at: time,
        verified: z.boolean(),
        deadline: z.string(),
        pending: z.array(z.string()),
        recoveredAt: nullableTime,
      })
      .strict()
      .nullable(),
    outcome: z.enum(REMEDIATION_OUTCOMES),
    outcomeAt: nullableTime,
    reason: z.string().nullable(),
    durations: z
      .object({
        triggerToActionSeconds: z.number().nullable(),
        actionSeconds: z.number().nullable(),
        actionToRecoveredSeconds: z.number().nullable(),
        totalSeconds: z.number().nullable(),
      })
      .strict(),
  })
  .strict();

const sample = z
  .object({
    requestRate: z.number().nullable(),
    errorRatePercent: z.number().nullable(),
    p99LatencyMs: z.number().nullable(),
    healthyHostsByAz: z.record(z.string(), z.number()),
    replicaLagMs: z.number().nullable(),
  })
  .strict();

export const reportJson = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    incident: z
      .object({
        incidentId: z.string(),
        kind: incidentKind,
        title: z.string(),
        service: z.string(),
        status: z.string(),
        openedAt: time,
        closedAt: nullableTime,
        experiment: z.string().nullable(),
        description: z.string().nullable(),
      })
      .strict(),
    timeZone: z.string(),
    timeline: z
      .object({
        eventsKept: z.number().int(),
        repeatsDropped: z.number().int(),
        firstEventAt: nullableTime,
        lastEventAt: nullableTime,
      })
      .strict(),
    verdict: reportVerdict,
    keyMoments: z.array(
      z
        .object({
          name: z.enum(MOMENT_NAMES),
          label: z.string(),
          at: nullableTime,
          eventId: z.string().nullable(),
          definition: z.string(),
        })
        .strict(),
    ),
    durations: z.array(
      z
        .object({
          name: z.enum(['timeToDetect', 'timeToRespond', 'timeToMitigate', 'timeToRecover', 'timeToResolve']),
          label: z.string(),
          to: z.enum(MOMENT_NAMES),
          seconds: z.number().nullable(),
          definition: z.string(),
          note: z.string().nullable(),
        })
        .strict(),
    ),
    orderCheck: z.object({ ok: z.boolean(), problems: z.array(z.string()) }).strict(),
    objectives: z
      .object({
        rto: z
          .object({
            objectiveSeconds: z.number().nullable(),
            achievedSeconds: z.number().nullable(),
            met: z.boolean().nullable(),
            faultEndedAt: nullableTime,
            recoveredAt: nullableTime,
            definition: z.string(),
            note: z.string().nullable(),
          })
          .strict(),
        rpo: z
          .object({
            objectiveSeconds: z.number().nullable(),
            achievedSeconds: z.number().nullable(),
            met: z.boolean().nullable(),
            failoverAt: nullableTime,
            failoverEventId: z.string().nullable(),
            definition: z.string(),
            note: z.string().nullable(),
          })
          .strict(),
        errorBudget: z
          .object({
            availabilitySlo: z.number().nullable(),
            windowSeconds: z.number(),
            baselineRequestRate: z.number().nullable(),
            baselineSource: z.enum(['attributes', 'samples before impact', 'all samples']).nullable(),
            allowedErrors: z.number().nullable(),
            errorsDuringIncident: z.number().nullable(),
            spentPercent: z.number().nullable(),
            from: nullableTime,
            to: nullableTime,
            formula: z.string(),
            note: z.string().nullable(),
          })
          .strict(),
      })
      .strict(),
    impact: z
      .object({
        from: time,
        to: time,
        recovered: z.boolean(),
        peakErrorRatePercent: extreme,
        worstP99LatencyMs: extreme,
        fewestHealthyHosts: extreme,
        lowestRequestRate: extreme,
        maxReplicaLagMs: extreme,
      })
      .strict()
      .nullable(),
    faultWindow: z.object({ from: time, to: time, ongoing: z.boolean() }).strict().nullable(),
    hypothesis: z
      .object({
        verdict: z.enum(['held', 'deviated', 'untested']),
        definition: z.string(),
        reasons: z.array(z.string()),
        checks: z.array(
          z
            .object({
              subject: z.string(),
              kind: z.enum(['alarm', 'healthCheck', 'metric', 'recovery']),
              phase: z.enum(['before', 'during', 'after']),
              held: z.boolean().nullable(),
              detail: z.string(),
            })
            .strict(),
        ),
        episodes: z.array(
          z
            .object({
              subject: z.string(),
              kind: z.enum(['alarm', 'healthCheck']),
              state: z.string(),
              from: time,
              to: nullableTime,
            })
            .strict(),
        ),
      })
      .strict(),
    automation: z
      .object({
        experiment: z
          .object({
            id: z.string().nullable(),
            finalStatus: z.string().nullable(),
            endedAt: nullableTime,
            reason: z.string().nullable(),
          })
          .strict(),
        faultStopped: z.boolean(),
        template: z.object({ templateId: z.string(), action: z.string() }).strict().nullable(),
        actions: z.array(
          z
            .object({
              experimentId: z.string(),
              action: z.string(),
              actionId: z.string(),
              startedAt: nullableTime,
              endedAt: nullableTime,
              finalStatus: z.string(),
              runningMinutes: z.number().nullable(),
              ongoing: z.boolean(),
            })
            .strict(),
        ),
        targets: z.array(
          z
            .object({
              experimentId: z.string(),
              target: z.string(),
              resourceType: z.string(),
              resources: z.array(z.string()),
            })
            .strict(),
        ),
        steps: z.array(
          z
            .object({
              step: z.string(),
              invocations: z.number().int(),
              failed: z.number().int(),
              measuredMs: z.number(),
              unmeasured: z.number().int(),
            })
            .strict(),
        ),
        stopRequests: z.array(z.object({ at: time, reason: z.string(), code: z.string() }).strict()),
        failures: z.array(
          z
            .object({
              at: time,
              error: z.string(),
              cause: z.string().nullable(),
              experimentStopped: z.boolean(),
            })
            .strict(),
        ),
        preflight: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() }).strict()),
        refusedReasons: z.array(z.string()).nullable(),
        notifications: z.number().int(),
        notes: z.number().int(),
      })
      .strict(),
    remediations: z.array(remediation),
    cost: z
      .object({
        currency: z.literal('USD'),
        prices: z
          .object({
            fisActionMinute: z.number(),
            stepFunctionsTransition: z.number(),
            lambdaGbSecond: z.number(),
            lambdaRequest: z.number(),
            lambdaMemoryMb: z.number(),
            lambdaAssumedMs: z.number(),
          })
          .strict(),
        lines: z.array(
          z
            .object({
              item: z.string(),
              quantity: z.number(),
              unit: z.string(),
              unitPriceDollars: z.number(),
              dollars: z.number(),
              basis: z.string(),
            })
            .strict(),
        ),
        totalDollars: z.number(),
      })
      .strict(),
    minutes: z.array(
      z
        .object({
          from: time,
          to: time,
          minutes: z.number().int().positive(),
          folded: z.boolean(),
          sample: sample.nullable(),
          eventIds: z.array(z.string()),
        })
        .strict(),
    ),
    events: z.array(timelineEvent),
  })
  .strict();

export type ReportJson = z.infer<typeof reportJson>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

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
    rto: { objectiveSeconds: rto.objectiveSeconds, achievedSeconds: rto.achievedSeconds, met: rto.met },
    faultStopped: a.automation.faultStopped,
    experiment: { id: a.automation.experiment.id, finalStatus: a.automation.experiment.finalStatus },
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
      kind: inc.kind,
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
      from: iso(a.impact.from),
      to: iso(a.impact.to),
      recovered: a.impact.recovered,
      peakErrorRatePercent: ext(a.impact.peakErrorRatePercent),
      worstP99LatencyMs: ext(a.impact.worstP99LatencyMs),
      fewestHealthyHosts: ext(a.impact.fewestHealthyHosts),
      lowestRequestRate: ext(a.impact.lowestRequestRate),
      maxReplicaLagMs: ext(a.impact.maxReplicaLagMs),
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
