import { experimentSchema } from '../experiments/schema.ts';
import * as z from '../zod.ts';
import type { GameDayDeps } from './deps.ts';
import { getExperiment, isTerminal, listExperiments, stopUnlessTerminal, TAG } from './fis-experiments.ts';
import { ensureIncident } from './open-incident.ts';
import { eventIds } from './record.ts';
import { recordExperiment } from './record-experiment.ts';
import { experimentResult, failureResult, gameDayInput, incidentResult } from './state.ts';
import { gameDayStep } from './step.ts';

/**
 * What the emergency path needs from the state document, and no more: a fault must be stopped
 * even when the rest of the document is malformed (that may be the very failure).
 */
export const emergencyStopInput = z.looseObject({
  gamedayId: gameDayInput.shape.gamedayId,
  experiment: z.optional(z.unknown()),
  dryRun: z.optional(z.boolean()),
  requestedBy: z.optional(z.string()),
  incident: z.optional(incidentResult),
  experimentRun: z.optional(experimentResult),
  failure: z.optional(failureResult),
});
export type EmergencyStopInput = z.infer<typeof emergencyStopInput>;

export interface EmergencyStopResult {
  /** Experiments this game day had running, and what happened to each. */
  experiments: { experimentId: string; stopped: boolean; status: string }[];
  /** Every experiment of the game day has ended: the state machine waits and asks again until it is so. */
  allTerminal: boolean;
  experimentStopped: boolean;
}

/** Lambda puts `{"errorType": …, "errorMessage": …}` in a Catch's Cause; a person wants the message. */
export function readableCause(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: already readable
  }
  return cause;
}

/** This game day's experiments: the one StartExperiment returned, or those FIS lists with its tag (the start may have succeeded unrecorded). */
async function experimentsOf(state: EmergencyStopInput, deps: GameDayDeps<'fis'>): Promise<string[]> {
  if (state.experimentRun) return [state.experimentRun.experimentId];
  const tagged = await listExperiments(deps.aws.fis, (e) => e.tags?.[TAG.gameday] === state.gamedayId);
  return tagged.map((e) => e.id!).filter(Boolean);
}

/**
 * EmergencyStop, the Catch path of every step: stop whatever this game day started, before
 * anything else, then record why the game day failed and mark its incident failed. Nothing to stop
 * is not an error.
 */
export const emergencyStop = gameDayStep<EmergencyStopInput, EmergencyStopResult, 'fis'>(
  { step: 'EmergencyStop', actFirst: true },
  async (state, deps, { timeline }) => {
    const experiments: EmergencyStopResult['experiments'] = [];
    for (const id of await experimentsOf(state, deps)) {
      experiments.push({ experimentId: id, ...(await stopUnlessTerminal(deps.aws.fis, id)) });
    }
    const experimentStopped = experiments.some((e) => e.stopped);
    const now = deps.now();
    // How each ended, as FIS tells it: an experiment that ended before anyone looked (on its own,
    // or failed by a restart of the service) is on the timeline with its end, not only this stop.
    for (const e of experiments.filter((x) => isTerminal(x.status))) {
      await recordExperiment(timeline, await getExperiment(deps.aws.fis, e.experimentId), now);
    }
    const spec = experimentSchema.safeParse(state.experiment);
    await ensureIncident(deps.store, { ...state, experiment: spec.success ? spec.data : undefined }, now);
    const error = state.failure?.Error ?? 'UnknownError';
    const cause = readableCause(state.failure?.Cause);
    for (const e of experiments.filter((x) => x.stopped)) {
      await timeline.record('gameday.stop-requested', {
        eventId: eventIds.stopRequested('failure'),
        occurredAt: now,
        summary: `stop requested: experiment ${e.experimentId} stopped because ${error}`,
        detail: {
          reason: `${error}${cause ? `: ${cause}` : ''}`,
          code: 'failure',
          experimentId: e.experimentId,
        },
      });
    }
    await timeline.record('gameday.failed', {
      eventId: eventIds.failed(),
      occurredAt: now,
      summary: `game day failed: ${error}${cause ? `: ${cause}` : ''}${experimentStopped ? ' (experiment stopped)' : ''}`,
      detail: { error, ...(cause ? { cause } : {}), experimentStopped, experiments },
    });
    await deps.store.updateIncident(state.gamedayId, { status: 'failed', closedAt: now.toISOString() });
    return { experiments, experimentStopped, allTerminal: experiments.every((e) => isTerminal(e.status)) };
  },
);
