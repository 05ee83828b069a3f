import { roundTo } from '../report/format.ts';
import type { RemediationOutcome } from '../report/remediations.ts';
import { CHANGE_DEFINITION, compareRuns, comparisonSentence, type Verdict } from './change.ts';
import type { RunRecord } from './run.ts';

export const SCORE_DEFINITION =
  "The share of the service's game days in the window that passed, from 0 to 100. A game day passes when its fault " +
  'was stopped, its steady-state hypothesis held and every objective it measured was met (the RTO always, the RPO ' +
  'when a failover happened); a run during which faultline itself failed does not pass, nor one whose experiment ' +
  'injected nothing (its actions failed as they started). Dry runs and refused runs inject nothing by design: they ' +
  'are listed apart and never counted.';

export const TREND_DEFINITION =
  "The score of the newer half of the window's game days against the score of the older half (by when they started; " +
  'with an odd count the newer half has one more): better when it rose, worse when it fell, unchanged when equal. ' +
  'It needs at least two game days in each half.';

export const BUDGET_DEFINITION =
  "Each game day's share of its SLO window's error budget (the failed requests during the run ÷ the failed requests " +
  'the availability objective allows over its window), added up over the game days of the window. Dry and refused runs spend nothing.';

export const REHEARSAL_DEFINITION =
  'The experiments declared for the service (experiment files) with no counted game day in the window: a dry run does not rehearse a fault.';

/** An experiment declared in a file, which the service is expected to rehearse. */
export interface DeclaredExperiment {
  name: string;
  service: string;
  /** Its schedule expression, when it runs on one. */
  schedule: string | null;
}

export interface ScorecardInput {
  service: string;
  /** The service's runs opened in the window, any order, any kind. */
  runs: readonly RunRecord[];
  window: { from: number; to: number; days: number };
  /** The experiments declared for this service. */
  declared: readonly DeclaredExperiment[];
  /** For declared experiments without a counted run in the window: their newest counted run ever, if any. */
  lastRuns: ReadonlyMap<string, RunRecord | undefined>;
  /** Records in the window this version could not read. */
  unreadable: number;
}

/** A span of counted game days and its score. */
export interface Slice {
  from: string;
  to: string;
  counted: number;
  passed: number;
  score: number;
  incidentIds: string[];
}

export interface Median {
  /** Median over the window's game days that measured it; null when none did. */
  all: number | null;
  older: number | null;
  newer: number | null;
  /** How many game days measured it. */
  measured: number;
}

export interface ExperimentRow {
  experiment: string;
  declared: boolean;
  schedule: string | null;
  counted: number;
  passed: number;
  dryRuns: number;
  refused: number;
  last: {
    incidentId: string;
    openedAt: string;
    passed: boolean;
    reasons: string[];
    rto: RunRecord['rto'];
    rpo: RunRecord['rpo'];
  } | null;
  /** The last counted run against the one before it. */
  change: { verdict: Verdict; sentence: string; previousIncidentId: string } | null;
  rto: { objectiveSeconds: number | null; met: number; missed: number; median: Median };
  rpo: { objectiveSeconds: number | null; met: number; missed: number; median: Median };
}

export interface Scorecard {
  service: string;
  window: { from: string; to: string; days: number };
  score: { value: number | null; passed: number; counted: number; definition: string };
  trend: {
    direction: 'better' | 'worse' | 'unchanged' | 'not enough runs';
    older: Slice | null;
    newer: Slice | null;
    definition: string;
  };
  counts: {
    gamedays: number;
    passed: number;
    notPassed: number;
    /** Counted game days during which faultline itself failed. */
    failed: number;
    dryRuns: number;
    refused: number;
    unreadable: number;
  };
  experiments: ExperimentRow[];
  notRehearsed: {
    experiment: string;
    schedule: string | null;
    last: { incidentId: string; openedAt: string; passed: boolean | null } | null;
    definition: string;
  }[];
  durations: { timeToDetect: Median; timeToMitigate: Median; timeToRecover: Median };
  errorBudget: {
    spentPercent: number;
    /** Game days that spent any of it. */
    runs: number;
    availabilitySlo: number[];
    definition: string;
  };
  remediations: {
    runbook: string;
    attempts: number;
    outcomes: Partial<Record<RemediationOutcome, number>>;
  }[];
  changeDefinition: string;
  /** Every run in the window, newest first: the counted ones and, apart from them in meaning, dry and refused ones. */
  runs: RunRecord[];
}

const byOpened = (a: RunRecord, b: RunRecord) =>
  a.openedAt === b.openedAt ? (a.incidentId < b.incidentId ? -1 : 1) : a.openedAt < b.openedAt ? -1 : 1;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return roundTo(m, 3);
}

const scoreOf = (passed: number, counted: number) => Math.round((passed / counted) * 100);

function slice(runs: readonly RunRecord[]): Slice {
  const passed = runs.filter((r) => r.passed).length;
  return {
    from: runs[0]!.openedAt,
    to: runs[runs.length - 1]!.openedAt,
    counted: runs.length,
    passed,
    score: scoreOf(passed, runs.length),
    incidentIds: runs.map((r) => r.incidentId),
  };
}

/** Splits counted runs (oldest first) into the trend's halves: the newer one has the extra run. */
function halves(counted: readonly RunRecord[]): [RunRecord[], RunRecord[]] {
  const cut = Math.floor(counted.length / 2);
  return [counted.slice(0, cut), counted.slice(cut)];
}

function medianOf(counted: readonly RunRecord[], read: (r: RunRecord) => number | null): Median {
  const [older, newer] = halves(counted);
  const values = (runs: readonly RunRecord[]) => runs.map(read).filter((v): v is number => v !== null);
  const all = values(counted);
  return {
    all: median(all),
    older: median(values(older)),
    newer: median(values(newer)),
    measured: all.length,
  };
}

function objectiveSummary(
  counted: readonly RunRecord[],
  pick: (r: RunRecord) => RunRecord['rto'] | RunRecord['rpo'],
) {
  const last = counted.at(-1);
  return {
    objectiveSeconds: last ? pick(last).objectiveSeconds : null,
    met: counted.filter((r) => pick(r).met === true).length,
    missed: counted.filter((r) => pick(r).met === false).length,
    median: medianOf(counted, (r) => pick(r).achievedSeconds),
  };
}

function experimentRow(
  name: string,
  runs: readonly RunRecord[],
  declared: DeclaredExperiment | undefined,
): ExperimentRow {
  const counted = runs.filter((r) => r.kind === 'gameday');
  const last = counted.at(-1);
  const before = counted.at(-2);
  const comparison = last && before ? compareRuns(before, last) : null;
  return {
    experiment: name,
    declared: declared !== undefined,
    schedule: declared?.schedule ?? null,
    counted: counted.length,
    passed: counted.filter((r) => r.passed).length,
    dryRuns: runs.filter((r) => r.kind === 'dry-run').length,
    refused: runs.filter((r) => r.kind === 'refused').length,
    last: last
      ? {
          incidentId: last.incidentId,
          openedAt: last.openedAt,
          passed: last.passed === true,
          reasons: last.reasons,
          rto: last.rto,
          rpo: last.rpo,
        }
      : null,
    change:
      comparison && before
        ? {
            verdict: comparison.verdict,
            sentence: comparisonSentence(comparison),
            previousIncidentId: before.incidentId,
          }
        : null,
    rto: objectiveSummary(counted, (r) => r.rto),
    rpo: objectiveSummary(counted, (r) => r.rpo),
  };
}

/** A service's scorecard over a window of its history. Pure. */
export function scorecardOf(input: ScorecardInput): Scorecard {
  const runs = [...input.runs].sort(byOpened);
  const counted = runs.filter((r) => r.kind === 'gameday');
  const passed = counted.filter((r) => r.passed).length;
  const [older, newer] = halves(counted);
  const enough = older.length >= 2 && newer.length >= 2;
  const olderSlice = enough ? slice(older) : null;
  const newerSlice = enough ? slice(newer) : null;
  const direction =
    olderSlice && newerSlice
      ? newerSlice.score > olderSlice.score
        ? 'better'
        : newerSlice.score < olderSlice.score
          ? 'worse'
          : 'unchanged'
      : 'not enough runs';

  const byExperiment = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const name = r.experiment ?? '(unnamed)';
    byExperiment.set(name, [...(byExperiment.get(name) ?? []), r]);
  }
  const declared = new Map(input.declared.map((d) => [d.name, d]));
  const names = [...new Set([...declared.keys(), ...byExperiment.keys()])].sort();
  const experiments = names.map((n) => experimentRow(n, byExperiment.get(n) ?? [], declared.get(n)));

  const remediations = new Map<
    string,
    { attempts: number; outcomes: Partial<Record<RemediationOutcome, number>> }
  >();
  for (const r of runs) {
    for (const x of r.remediations) {
      const name = x.runbook ?? '(no runbook)';
      const entry = remediations.get(name) ?? { attempts: 0, outcomes: {} };
      entry.attempts++;
      entry.outcomes[x.outcome] = (entry.outcomes[x.outcome] ?? 0) + 1;
      remediations.set(name, entry);
    }
  }
  const spending = counted.filter((r) => r.errorBudget.spentPercent !== null);
  const slos = [
    ...new Set(
      spending.flatMap((r) =>
        r.errorBudget.availabilitySlo === null ? [] : [r.errorBudget.availabilitySlo],
      ),
    ),
  ].sort((a, b) => a - b);

  return {
    service: input.service,
    window: {
      from: new Date(input.window.from).toISOString(),
      to: new Date(input.window.to).toISOString(),
      days: input.window.days,
    },
    score: {
      value: counted.length > 0 ? scoreOf(passed, counted.length) : null,
      passed,
      counted: counted.length,
      definition: SCORE_DEFINITION,
    },
    trend: { direction, older: olderSlice, newer: newerSlice, definition: TREND_DEFINITION },
    counts: {
      gamedays: counted.length,
      passed,
      notPassed: counted.length - passed,
      failed: counted.filter((r) => r.failed).length,
      dryRuns: runs.filter((r) => r.kind === 'dry-run').length,
      refused: runs.filter((r) => r.kind === 'refused').length,
      unreadable: input.unreadable,
    },
    experiments,
    notRehearsed: experiments
      .filter((e) => e.declared && e.counted === 0)
      .map((e) => {
        const last = input.lastRuns.get(e.experiment);
        return {
          experiment: e.experiment,
          schedule: e.schedule,
          last: last ? { incidentId: last.incidentId, openedAt: last.openedAt, passed: last.passed } : null,
          definition: REHEARSAL_DEFINITION,
        };
      }),
    durations: {
      timeToDetect: medianOf(counted, (r) => r.timeToDetectSeconds),
      timeToMitigate: medianOf(counted, (r) => r.timeToMitigateSeconds),
      timeToRecover: medianOf(counted, (r) => r.timeToRecoverSeconds),
    },
    errorBudget: {
      spentPercent: roundTo(
        spending.reduce((sum, r) => sum + r.errorBudget.spentPercent!, 0),
        4,
      ),
      runs: spending.filter((r) => r.errorBudget.spentPercent! > 0).length,
      availabilitySlo: slos,
      definition: BUDGET_DEFINITION,
    },
    remediations: [...remediations.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([runbook, v]) => ({ runbook, ...v })),
    changeDefinition: CHANGE_DEFINITION,
    runs: runs.reverse(),
  };
}
