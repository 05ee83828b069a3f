import type { Analysis } from '../report/analysis.ts';
import { ReportInputError } from '../report/errors.ts';
import type { MomentName } from '../report/moments.ts';
import type { Sample } from '../report/samples.ts';
import { type Change, compareRuns, comparisonSentence, type Verdict } from './change.ts';
import { type RunRecord, runOf } from './run.ts';

/** One of the two runs as `faultline compare` shows it. */
export interface ComparedRun {
  record: RunRecord;
  /** The moment the minutes are counted from: the impact's start, else the incident's opening. */
  zero: number;
  /** Each key moment, as minutes-and-seconds after `zero` (null: the timeline does not show it). */
  moments: Partial<Record<MomentName, number | null>>;
  /** The metric samples by minute after `zero` (negative before it), for the overlaid charts. */
  minutes: { offsetMs: number; sample: Sample }[];
  /** What the automation did, a line each. */
  automation: string[];
}

export interface Comparison {
  service: string;
  experiment: string;
  a: ComparedRun;
  b: ComparedRun;
  /** B against A: the rule of src/scorecard/change.ts. */
  verdict: Verdict;
  sentence: string;
  changes: Change[];
  /** The key moments both sides are shown for, in order. */
  momentLabels: { name: MomentName; label: string }[];
}

/** Why two incidents cannot be compared (exit 2: the user named them). */
export class CompareInputError extends ReportInputError {}

function compared(a: Analysis): ComparedRun {
  const record = runOf(a);
  if (!record) {
    throw new CompareInputError(`${a.incident.incidentId} is not a game day (kind ${a.incident.kind})`);
  }
  const impact = a.moments.find((m) => m.name === 'impactStarted')?.at ?? null;
  const zero = impact ?? Date.parse(a.incident.openedAt);
  const moments: ComparedRun['moments'] = {};
  for (const m of a.moments) moments[m.name] = m.at === null ? null : (m.at - zero) / 1000;
  const automation = [
    a.automation.experiment.id
      ? `FIS experiment ${a.automation.experiment.id}: ${a.automation.experiment.finalStatus ?? 'no end recorded'}${
          a.automation.experiment.finalStatus === 'failed' && a.automation.experiment.reason
            ? ` (${a.automation.experiment.reason.trim()})`
            : ''
        }`
      : 'no FIS experiment',
    `fault stopped: ${a.automation.faultStopped ? 'yes' : 'NO'}`,
    ...a.remediations.runs
      .filter((r) => r.outcome !== 'duplicate' && r.outcome !== 'not-matched')
      .map((r) => `remediation ${r.runbook ?? '(no runbook)'}: ${r.outcome}`),
    ...a.automation.failures.map((f) => `failed: ${f.error}`),
    ...(a.automation.refusedReasons ? [`refused: ${a.automation.refusedReasons.join('; ')}`] : []),
  ];
  return {
    record,
    zero,
    moments,
    minutes: a.samples.map((s) => ({ offsetMs: s.minute - zero, sample: s.sample })),
    automation,
  };
}

/**
 * Two game days of the same experiment side by side: B against A (A is usually the earlier, or
 * the one without the change). Pure. Throws CompareInputError for an incident that is not a game
 * day, or for runs of different experiments or services: their measures mean different things.
 */
export function comparisonOf(a: Analysis, b: Analysis): Comparison {
  if (a.incident.incidentId === b.incident.incidentId) {
    throw new CompareInputError(`${a.incident.incidentId} is named twice: compare two different game days`);
  }
  const left = compared(a);
  const right = compared(b);
  const [ra, rb] = [left.record, right.record];
  if (ra.service !== rb.service || ra.experiment !== rb.experiment) {
    throw new CompareInputError(
      `${ra.incidentId} ran ${ra.experiment ?? '(unnamed)'} on ${ra.service} and ${rb.incidentId} ran ` +
        `${rb.experiment ?? '(unnamed)'} on ${rb.service}: compare two runs of the same experiment`,
    );
  }
  const c = compareRuns(ra, rb);
  return {
    service: ra.service,
    experiment: ra.experiment ?? '(unnamed)',
    a: left,
    b: right,
    verdict: c.verdict,
    sentence: comparisonSentence(c),
    changes: c.changes,
    momentLabels: a.moments.map((m) => ({ name: m.name, label: m.label })),
  };
}
