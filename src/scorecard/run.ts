import type { Analysis } from '../report/analysis.ts';
import { roundTo } from '../report/format.ts';
import { REMEDIATION_OUTCOMES } from '../report/remediations.ts';
import * as z from '../zod.ts';

/**
 * One game day as the scorecard, `faultline compare` and the next run's report read it: what its
 * report concluded, in a few hundred bytes. RenderReport writes it beside the timeline
 * (src/timeline/runs.ts) when it renders the report, so that a service's history is read with one
 * query instead of re-reading every timeline. `v` is the record's version: a reader skips (and
 * counts) records of a version it does not know.
 */
export const RUN_RECORD_VERSION = 1;

const seconds = z.nullable(z.number());
const time = z.iso.datetime();

export const runRecord = z.object({
  v: z.literal(RUN_RECORD_VERSION),
  incidentId: z.string().check(z.minLength(1)),
  service: z.string().check(z.minLength(1)),
  /** The experiment's name; null for a game day opened for a state no step could read. */
  experiment: z.nullable(z.string()),
  openedAt: time,
  closedAt: z.nullable(time),
  /**
   * `gameday` counts for the score; a `dry-run` injected nothing and a `refused` one was stopped by
   * preflight before anything was injected: both are shown apart and never counted as passes.
   */
  kind: z.enum(['gameday', 'dry-run', 'refused']),
  /** Counted game days: the fault stopped, the hypothesis held, every objective measured met. Null when not counted. */
  passed: z.nullable(z.boolean()),
  /** Why it did not pass, or why it is not counted (a person reads them). */
  reasons: z.array(z.string()),
  /** faultline itself failed during the run (a step failed, the emergency path ran). */
  failed: z.boolean(),
  hypothesis: z.enum(['held', 'deviated', 'untested']),
  faultStopped: z.boolean(),
  rto: z.object({
    objectiveSeconds: seconds,
    achievedSeconds: seconds,
    met: z.nullable(z.boolean()),
    from: z.enum(['fault-end', 'impact']),
  }),
  rpo: z.object({ objectiveSeconds: seconds, achievedSeconds: seconds, met: z.nullable(z.boolean()) }),
  /** From the impact's start (the report's durations). */
  timeToDetectSeconds: seconds,
  timeToMitigateSeconds: seconds,
  timeToRecoverSeconds: seconds,
  errorBudget: z.object({
    availabilitySlo: z.nullable(z.number()),
    windowSeconds: z.number(),
    spentPercent: z.nullable(z.number()),
  }),
  impact: z.nullable(
    z.object({
      minutesOutsideBounds: z.int(),
      peakErrorRatePercent: z.nullable(z.number()),
      worstP99LatencyMs: z.nullable(z.number()),
      fewestHealthyHosts: z.nullable(z.number()),
    }),
  ),
  /** The remediations that acted on the incident (duplicates and unmatched events left out). */
  remediations: z.array(
    z.object({
      runbook: z.nullable(z.string()),
      outcome: z.enum(REMEDIATION_OUTCOMES),
      totalSeconds: seconds,
    }),
  ),
});

export type RunRecord = z.infer<typeof runRecord>;

const duration = (a: Analysis, name: Analysis['durations'][number]['name']) =>
  a.durations.find((d) => d.name === name)?.seconds ?? null;

/** A game day's record from its report's analysis. Pure. Null for an incident that is not a game day. */
export function runOf(a: Analysis): RunRecord | null {
  const inc = a.incident;
  if (inc.kind !== 'gameday') return null;
  const { rto, rpo, errorBudget } = a.objectives;
  const refused = a.automation.refusedReasons !== null || inc.status === 'refused';
  const kind = a.attrs.dryRun ? 'dry-run' : refused ? 'refused' : 'gameday';
  const failures = a.automation.failures;
  const failed = inc.status === 'failed' || failures.length > 0;
  const reasons: string[] = [];
  if (kind === 'dry-run') reasons.push('dry run: nothing was injected');
  else if (kind === 'refused') {
    const why = a.automation.refusedReasons ?? [];
    reasons.push(`refused before anything was injected${why.length > 0 ? `: ${why.join('; ')}` : ''}`);
  } else {
    if (failed) reasons.push(`the run failed${failures[0] ? `: ${failures[0].error}` : ''}`);
    if (!a.automation.faultStopped) reasons.push('the fault was not confirmed stopped');
    if (a.hypothesis.verdict === 'deviated') reasons.push('the hypothesis deviated');
    // A run whose fault never went in rehearsed nothing: it does not pass, and says why.
    if (a.injection.none !== null) reasons.push(`nothing was injected: ${a.injection.none}`);
    else if (a.hypothesis.verdict === 'untested') reasons.push('the hypothesis was not tested');
    if (rto.met === false) reasons.push('RTO missed');
    else if (rto.met === null && rto.objectiveSeconds !== null && a.injection.none === null)
      reasons.push('RTO not determined');
    if (rpo.met === false) reasons.push('RPO missed');
  }
  const round = (v: number | null, digits = 3) => (v === null ? null : roundTo(v, digits));
  const impact = a.impact;
  return {
    v: RUN_RECORD_VERSION,
    incidentId: inc.incidentId,
    service: inc.service,
    experiment: a.attrs.experimentName,
    openedAt: new Date(inc.openedAt).toISOString(),
    closedAt: inc.closedAt ? new Date(inc.closedAt).toISOString() : null,
    kind,
    passed: kind === 'gameday' ? reasons.length === 0 : null,
    reasons,
    failed,
    hypothesis: a.hypothesis.verdict,
    faultStopped: a.automation.faultStopped,
    rto: {
      objectiveSeconds: rto.objectiveSeconds,
      achievedSeconds: round(rto.achievedSeconds),
      met: rto.met,
      from: a.attrs.objectives.rtoFrom,
    },
    rpo: {
      objectiveSeconds: rpo.objectiveSeconds,
      achievedSeconds: round(rpo.achievedSeconds),
      met: rpo.met,
    },
    timeToDetectSeconds: round(duration(a, 'timeToDetect')),
    timeToMitigateSeconds: round(duration(a, 'timeToMitigate')),
    timeToRecoverSeconds: round(duration(a, 'timeToRecover')),
    errorBudget: {
      availabilitySlo: errorBudget.slo,
      windowSeconds: errorBudget.windowSeconds,
      spentPercent: round(errorBudget.spentPercent, 4),
    },
    impact: impact && {
      minutesOutsideBounds: impact.outsideBounds?.minutes ?? 0,
      peakErrorRatePercent: impact.peakErrorRatePercent?.value ?? null,
      worstP99LatencyMs: impact.worstP99LatencyMs?.value ?? null,
      fewestHealthyHosts: impact.fewestHealthyHosts?.value ?? null,
    },
    remediations: a.remediations.runs
      .filter((r) => r.outcome !== 'duplicate' && r.outcome !== 'not-matched')
      .map((r) => ({
        runbook: r.runbook,
        outcome: r.outcome,
        totalSeconds: round(r.durations.totalSeconds),
      })),
  };
}
