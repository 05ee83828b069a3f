import { type ReportVerdict, reportVerdict } from '../report/json.ts';
import { nextFireTime, parseScheduleExpression } from '../time/schedule-expression.ts';
import type { Incident } from '../timeline/event.ts';

/** One experiment as `faultline experiments` lists it. */
export interface ExperimentEntry {
  name: string;
  file: string;
  description: string;
  service: string;
  /** The EventBridge expression, or null: run on demand only. */
  schedule: string | null;
  /** The next time a cron schedule fires (ISO, UTC); null on demand, and for a rate (it counts from its deploy). */
  nextRun: string | null;
  /** The newest game day of this experiment (dry runs measure nothing and are left out), or null. */
  lastRun: {
    incidentId: string;
    openedAt: string;
    status: Incident['status'];
    verdict: ReportVerdict | null;
  } | null;
}

/** When an experiment's schedule fires next after `now`: only a cron says so without its deploy time. */
export function nextRun(schedule: string | undefined, now: number): string | null {
  if (schedule === undefined) return null;
  const parsed = parseScheduleExpression(schedule);
  if (parsed.kind === 'rate') return null;
  const next = nextFireTime(parsed, now, now);
  return next === undefined ? null : new Date(next).toISOString();
}

/**
 * Each experiment's newest game day among `incidents` (newest first, as the store lists them),
 * matched by the experiment name its incident recorded.
 */
export function lastRuns(incidents: readonly Incident[]): Map<string, ExperimentEntry['lastRun']> {
  const last = new Map<string, ExperimentEntry['lastRun']>();
  for (const incident of incidents) {
    if (incident.kind !== 'gameday' || incident.attributes.dryRun === true) continue;
    // OpenIncident records the experiment's name; older incidents kept the experiment itself.
    const recorded = incident.attributes.experiment;
    const name =
      typeof recorded === 'object' && recorded !== null ? (recorded as { name?: unknown }).name : recorded;
    if (typeof name !== 'string' || last.has(name)) continue;
    const verdict = reportVerdict.safeParse(incident.attributes.verdict);
    last.set(name, {
      incidentId: incident.incidentId,
      openedAt: incident.openedAt,
      status: incident.status,
      verdict: verdict.success ? verdict.data : null,
    });
  }
  return last;
}
