import type { TimelineStore } from '../timeline/store.ts';
import type { RunRecord } from './run.ts';
import { type DeclaredExperiment, type Scorecard, scorecardOf } from './scorecard.ts';

export const DAY_MS = 86_400_000;

/**
 * A service's scorecard from the store, with queries only: its newest run (where the window ends
 * when the service's clock is behind it, as a sandbox run ahead of real time can be), its runs in
 * the window, and for each declared experiment not run in it, that experiment's newest run. What it
 * reads grows with the runs in the window, never with the table.
 */
export async function readScorecard(
  store: TimelineStore,
  service: string,
  opts: { days: number; declared: readonly DeclaredExperiment[] },
): Promise<Scorecard> {
  const newest = await store.runs.newest(service);
  const to = Math.max(store.runs.serviceNow(), newest ? Date.parse(newest.openedAt) : 0);
  const from = to - opts.days * DAY_MS;
  const { runs, unreadable } = await store.runs.between(
    service,
    new Date(from).toISOString(),
    new Date(to).toISOString(),
  );
  const declared = opts.declared.filter((d) => d.service === service);
  const rehearsed = new Set(runs.filter((r) => r.kind === 'gameday').map((r) => r.experiment));
  const lastRuns = new Map<string, RunRecord | undefined>();
  for (const d of declared) {
    if (!rehearsed.has(d.name)) lastRuns.set(d.name, await store.runs.latestOf(service, d.name));
  }
  return scorecardOf({
    service,
    runs,
    window: { from, to, days: opts.days },
    declared,
    lastRuns,
    unreadable,
  });
}

/** The services to show when none is named: every one with a run, and every one an experiment is declared for. */
export async function knownServices(
  store: TimelineStore,
  declared: readonly DeclaredExperiment[],
): Promise<string[]> {
  return [...new Set([...(await store.runs.services()), ...declared.map((d) => d.service)])].sort();
}
