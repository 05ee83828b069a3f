import type { Analysis } from '../report/analysis.ts';
import type { Block } from '../report/document.ts';
import type { Incident } from '../timeline/event.ts';
import type { RunHistory } from '../timeline/runs.ts';
import { compareRuns, comparisonSentence } from './change.ts';
import { type RunRecord, runOf } from './run.ts';

/** The experiment a game day ran, read leniently from its attributes (a name, or the experiment itself). */
export function experimentOf(incident: Incident): string | null {
  const e = incident.attributes.experiment;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string') {
    return (e as { name: string }).name;
  }
  return null;
}

/**
 * The run of the same experiment before this game day: one query on the experiment's index
 * (src/timeline/runs.ts). Null when none is recorded; undefined when the incident is not a game day
 * of a named experiment (its report has no such line).
 */
export async function previousRun(
  runs: RunHistory,
  incident: Incident,
): Promise<RunRecord | null | undefined> {
  const experiment = experimentOf(incident);
  if (incident.kind !== 'gameday' || experiment === null) return undefined;
  return (await runs.latestOf(incident.service, experiment, incident)) ?? null;
}

/** `instance-kill-20260105T1000Z (2026-01-05 10:00, passed)` */
export function runLabel(run: RunRecord, dateMinute: (ms: number) => string): string {
  const result =
    run.passed === null
      ? run.kind === 'dry-run'
        ? 'dry run'
        : 'refused'
      : run.passed
        ? 'passed'
        : `not passed: ${run.reasons.join('; ')}`;
  return `${run.incidentId} (${dateMinute(Date.parse(run.openedAt))}, ${result})`;
}

/**
 * The report's line on the previous run of the same experiment, and in a few words what is better
 * or worse (src/scorecard/change.ts has the rule). None when the previous run was not looked up.
 */
export function previousRunBlocks(a: Analysis, previous: RunRecord | null | undefined): Block[] {
  const current = runOf(a);
  if (previous === undefined || current === null || current.experiment === null) return [];
  if (previous === null) {
    return [
      {
        type: 'paragraph',
        text: `No earlier run of ${current.experiment} on ${current.service} is recorded: nothing to compare with.`,
      },
    ];
  }
  const sentence = comparisonSentence(compareRuns(previous, current));
  return [
    {
      type: 'paragraph',
      text: `Previous run of ${current.experiment}: ${runLabel(previous, a.zone.dateMinute)}. This run: ${sentence}.`,
    },
  ];
}
