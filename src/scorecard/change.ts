import { formatDuration, formatNumber } from '../report/format.ts';
import type { RunRecord } from './run.ts';

/** How one measure moved from a run to a later one. */
export interface Change {
  /** What is compared, as a person reads it: `RTO`, `time to detect`, … */
  what: string;
  previous: string;
  current: string;
  /** `better`, `worse`, or null when it differs without being better or worse (or is only told). */
  direction: 'better' | 'worse' | null;
}

export type Verdict = 'better' | 'worse' | 'mixed' | 'unchanged' | 'not compared';

export interface RunComparison {
  verdict: Verdict;
  /** The measures that changed, the deciding one first. */
  changes: Change[];
  /** Why the runs were not compared (a dry or refused run measured nothing). */
  note: string | null;
}

/**
 * When a duration or an amount has moved enough to be called better or worse: by at least
 * `floor` and by at least a tenth of the larger value. Smaller moves are the noise of minute
 * samples and polls, and are not reported.
 */
export const SIGNIFICANT_SHARE = 0.1;
const DURATION_FLOOR_SECONDS = 30;
const BUDGET_FLOOR_PERCENT = 0.01;

export const CHANGE_DEFINITION =
  'A run is better than the one before it when it passed and that one did not, or, when both passed or both did not, ' +
  'when at least one measure improved and none got worse: the hypothesis (held over deviated), the RTO and RPO (met over missed, ' +
  'then how long), the time to detect and to mitigate, the error budget spent and the minutes outside the hypothesis bounds. ' +
  `A duration or amount counts as changed when it moved by at least ${DURATION_FLOOR_SECONDS} s (${BUDGET_FLOOR_PERCENT} points of budget) ` +
  `and by at least ${SIGNIFICANT_SHARE * 100} % of the larger value. Both ways at once is "mixed".`;

function significant(a: number, b: number, floor: number): boolean {
  const d = Math.abs(a - b);
  return d >= floor && d >= SIGNIFICANT_SHARE * Math.max(Math.abs(a), Math.abs(b));
}

const seconds = (s: number | null) => (s === null ? '–' : formatDuration(s));

function resultText(r: RunRecord): string {
  if (r.passed === null) return r.kind === 'dry-run' ? 'dry run' : 'refused';
  return r.passed ? 'passed' : `not passed (${r.reasons.join('; ')})`;
}

function objectiveText(o: RunRecord['rto'] | RunRecord['rpo'], label: 'RTO' | 'RPO'): string {
  if (o.met === null) return o.achievedSeconds === null ? 'not measured' : seconds(o.achievedSeconds);
  const how =
    o.achievedSeconds === null
      ? label === 'RTO'
        ? 'not recovered'
        : 'not measured'
      : seconds(o.achievedSeconds);
  return `${o.met ? 'met' : 'missed'} (${how})`;
}

/** RTO or RPO: met beats missed; then, both met or both missed, a shorter time beats a longer one. */
function objectiveChange(
  label: 'RTO' | 'RPO',
  p: RunRecord['rto'] | RunRecord['rpo'],
  c: RunRecord['rto'] | RunRecord['rpo'],
): Change | null {
  const change = (direction: Change['direction']): Change => ({
    what: label,
    previous: objectiveText(p, label),
    current: objectiveText(c, label),
    direction,
  });
  if (p.met !== null && c.met !== null && p.met !== c.met) return change(c.met ? 'better' : 'worse');
  if (p.achievedSeconds === null && c.achievedSeconds === null) return null;
  if (p.achievedSeconds === null || c.achievedSeconds === null) {
    // Recovered against not recovered (an RTO); an RPO measured once only is not a change of quality.
    if (label === 'RPO' || p.met === null || c.met === null) return null;
    return change(c.achievedSeconds !== null ? 'better' : 'worse');
  }
  if (!significant(p.achievedSeconds, c.achievedSeconds, label === 'RPO' ? 0 : DURATION_FLOOR_SECONDS)) {
    return null;
  }
  return change(c.achievedSeconds < p.achievedSeconds ? 'better' : 'worse');
}

function lowerIsBetter(
  what: string,
  p: number | null,
  c: number | null,
  floor: number,
  show: (v: number | null) => string,
): Change | null {
  if (p === null || c === null || !significant(p, c, floor)) return null;
  return { what, previous: show(p), current: show(c), direction: c < p ? 'better' : 'worse' };
}

function remediationText(r: RunRecord): string {
  if (r.remediations.length === 0) return 'none';
  return r.remediations.map((x) => `${x.runbook ?? 'no runbook'} ${x.outcome}`).join(', ');
}

/**
 * How `current` compares with `previous`, an earlier run of the same experiment (the rule is
 * CHANGE_DEFINITION). Pure.
 */
export function compareRuns(previous: RunRecord, current: RunRecord): RunComparison {
  if (current.kind !== 'gameday' || previous.kind !== 'gameday') {
    const which = current.kind !== 'gameday' ? 'this run' : 'that run';
    const kind =
      (current.kind !== 'gameday' ? current : previous).kind === 'dry-run' ? 'a dry run' : 'refused';
    return { verdict: 'not compared', changes: [], note: `${which} is ${kind}: it measured nothing` };
  }
  const changes: Change[] = [];
  if (previous.passed !== current.passed) {
    changes.push({
      what: 'result',
      previous: resultText(previous),
      current: resultText(current),
      direction: current.passed ? 'better' : 'worse',
    });
  }
  if (previous.hypothesis !== current.hypothesis) {
    const held = (h: RunRecord['hypothesis']) => h === 'held';
    changes.push({
      what: 'hypothesis',
      previous: previous.hypothesis,
      current: current.hypothesis,
      direction:
        held(previous.hypothesis) === held(current.hypothesis)
          ? null
          : held(current.hypothesis)
            ? 'better'
            : 'worse',
    });
  }
  for (const c of [
    objectiveChange('RTO', previous.rto, current.rto),
    objectiveChange('RPO', previous.rpo, current.rpo),
    lowerIsBetter(
      'time to detect',
      previous.timeToDetectSeconds,
      current.timeToDetectSeconds,
      DURATION_FLOOR_SECONDS,
      seconds,
    ),
    lowerIsBetter(
      'time to mitigate',
      previous.timeToMitigateSeconds,
      current.timeToMitigateSeconds,
      DURATION_FLOOR_SECONDS,
      seconds,
    ),
    lowerIsBetter(
      'minutes outside the hypothesis bounds',
      previous.impact?.minutesOutsideBounds ?? null,
      current.impact?.minutesOutsideBounds ?? null,
      1,
      (v) => formatNumber(v, 0),
    ),
    lowerIsBetter(
      'error budget spent',
      previous.errorBudget.spentPercent,
      current.errorBudget.spentPercent,
      BUDGET_FLOOR_PERCENT,
      (v) => `${formatNumber(v, 2)} %`,
    ),
  ]) {
    if (c) changes.push(c);
  }
  const before = remediationText(previous);
  const after = remediationText(current);
  if (before !== after)
    changes.push({ what: 'remediations', previous: before, current: after, direction: null });
  const better = changes.some((c) => c.direction === 'better');
  const worse = changes.some((c) => c.direction === 'worse');
  const decided = changes[0]?.what === 'result' ? changes[0].direction : null;
  const verdict: Verdict =
    decided ?? (better && worse ? 'mixed' : better ? 'better' : worse ? 'worse' : 'unchanged');
  return { verdict, changes, note: null };
}

/** `RTO met (4 min) (was missed (not recovered))`, one change as a clause. */
export function changeClause(c: Change): string {
  return `${c.what} ${c.current} (was ${c.previous})`;
}

/**
 * The comparison in one sentence, e.g. `better: RTO met (7 min 2 s) (was missed (not recovered));
 * time to mitigate 1 min (was 9 min)`. What changed neither way is told after what decided it.
 */
export function comparisonSentence(c: RunComparison): string {
  if (c.verdict === 'not compared') return `not compared: ${c.note}`;
  if (c.changes.length === 0) return 'unchanged: every measure within its noise of the previous run';
  const ranked = [
    ...c.changes.filter((x) => x.direction !== null),
    ...c.changes.filter((x) => x.direction === null),
  ];
  return `${c.verdict}: ${ranked.map(changeClause).join('; ')}`;
}
