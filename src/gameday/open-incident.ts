import type { ExperimentSpec } from '../experiments/schema.ts';
import type { Incident } from '../timeline/event.ts';
import type { TimelineStore } from '../timeline/store.ts';
import type * as z from '../zod.ts';
import type { GameDayState, incidentResult } from './state.ts';
import { gameDayStep } from './step.ts';

export type IncidentResult = z.infer<typeof incidentResult>;

/** The incident a game day is: what the report needs to know about the experiment, from the start. */
export function gameDayIncident(
  gamedayId: string,
  experiment: ExperimentSpec | undefined,
  opts: { openedAt: Date; dryRun: boolean; requestedBy: string },
): Omit<Incident, 'status' | 'closedAt'> {
  if (!experiment) {
    // Only the emergency path opens an incident for a state it could not read.
    return {
      incidentId: gamedayId,
      kind: 'gameday',
      title: `Game day ${gamedayId}`,
      service: 'unknown',
      openedAt: opts.openedAt.toISOString(),
      attributes: { dryRun: opts.dryRun, requestedBy: opts.requestedBy },
    };
  }
  return {
    incidentId: gamedayId,
    kind: 'gameday',
    title: `Game day${opts.dryRun ? ' (dry run)' : ''}: ${experiment.name} — ${experiment.description}`,
    service: experiment.service,
    openedAt: opts.openedAt.toISOString(),
    attributes: {
      experiment: experiment.name,
      description: experiment.description,
      objectives: experiment.objectives,
      hypothesis: experiment.hypothesis,
      stopConditions: experiment.stopConditions,
      guardrails: experiment.guardrails,
      // An experiment imported from a FIS template: where its stop conditions came from, what was inferred.
      ...(experiment.imported ? { imported: experiment.imported } : {}),
      // What the report charts beside its fixed charts: their titles, units and metrics.
      ...(experiment.metrics?.extra?.length ? { extraMetrics: experiment.metrics.extra } : {}),
      dryRun: opts.dryRun,
      requestedBy: opts.requestedBy,
    },
  };
}

/**
 * The game day's incident, opened now (with `status`) if no step has opened it yet: the failure
 * path may start before OpenIncident ran, and its report still needs an incident.
 */
export async function ensureIncident(
  store: TimelineStore,
  state: { gamedayId: string; experiment?: ExperimentSpec; dryRun?: boolean; requestedBy?: string },
  now: Date,
  status: Incident['status'] = 'open',
): Promise<Incident> {
  const found = await store.findIncident(state.gamedayId);
  if (found) return found;
  return store.openIncident({
    ...gameDayIncident(state.gamedayId, state.experiment, {
      openedAt: now,
      dryRun: state.dryRun ?? false,
      requestedBy: state.requestedBy ?? 'faultline',
    }),
    status,
  });
}

/** OpenIncident: the timeline every later step records onto. The incident id is the game day id. */
export const openIncident = gameDayStep<GameDayState, IncidentResult>(
  { step: 'OpenIncident' },
  async (state, deps) => {
    const incident = await ensureIncident(deps.store, state, deps.now());
    return { incidentId: incident.incidentId, openedAt: incident.openedAt };
  },
);
