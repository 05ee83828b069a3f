import type { ClientName } from '../aws/clients.ts';
import { logger } from '../runtime/logger.ts';
import type { GameDayDeps } from './deps.ts';
import { ownIncidentId } from './incident-id.ts';
import { eventIds, GameDayTimeline } from './record.ts';

/** What a step's core learns about its own run. */
export interface StepContext {
  /** The state-machine state this run is (e.g. `Observe`, `ObserveStopping`, `ReportFailure`). */
  step: string;
  /** 1 on the first try of this run, 2 on the state machine's first retry, …; 0 when not yet known. */
  attempt: number;
  timeline: GameDayTimeline;
}

export type StepCore<S, R, K extends ClientName> = (
  state: S,
  deps: GameDayDeps<K>,
  ctx: StepContext,
) => Promise<R>;

export interface StepOptions<S> {
  /**
   * The state-machine state this invocation serves. Several states share a function (`Refused`,
   * `RenderReport` and `ReportFailure` all render the report); the state document tells them apart.
   */
  step: string | ((state: S) => string);
  /**
   * For states in a loop: which time round this is, from the state document (a retry gets the
   * same document, so the same number; the next time round gets the previous result, so the next).
   */
  iteration?: (state: S) => number;
  /**
   * Act before writing anything (the emergency stop): the step's records are written after its
   * core ran, so a failing timeline table cannot stand between a fault and its stop.
   */
  actFirst?: boolean;
}

/** Retries the ASL allows a task, with room to spare; past it the attempt number stops counting. */
const MAX_ATTEMPT = 20;

/**
 * Wraps a step's core so that every run records itself on the incident timeline: `gameday.step`
 * started, then succeeded or failed, with the attempt number. The attempt is found by writing
 * `started` under attempt 1, 2, … until a write is new: the timeline's dedupe key doubles as the
 * retry counter, so no state is needed beyond what the state machine passes in.
 */
export function gameDayStep<
  S extends { gamedayId: string; incident?: { incidentId: string } },
  R,
  K extends ClientName = never,
>(options: StepOptions<S>, core: StepCore<S, R, K>): (state: S, deps: GameDayDeps<K>) => Promise<R> {
  return async (proposed, deps) => {
    // The game day is its incident: once opened, its id; before (OpenIncident itself, or the
    // failure path when it failed), the one this run owns, which another run's id never is.
    const gamedayId = proposed.incident?.incidentId ?? (await ownIncidentId(deps.store, proposed.gamedayId));
    const state = gamedayId === proposed.gamedayId ? proposed : { ...proposed, gamedayId };
    const name = typeof options.step === 'string' ? options.step : options.step(state);
    const key = options.iteration ? `${name}#${options.iteration(state)}` : name;
    const timeline = new GameDayTimeline(deps.store, state.gamedayId);
    const startedAt = deps.now();
    const mark = (status: 'started' | 'succeeded' | 'failed', attempt: number, at: Date, error?: string) =>
      timeline.record('gameday.step', {
        eventId: eventIds.step(key, status, attempt),
        occurredAt: at,
        summary: `${name} ${status}${attempt > 1 ? ` (attempt ${attempt})` : ''}${error ? `: ${error}` : ''}`,
        detail: {
          step: name,
          status,
          attempt,
          ...(error ? { error } : {}),
          ...(options.iteration ? { iteration: options.iteration(state) } : {}),
        },
      });
    const begin = async (): Promise<number> => {
      for (let attempt = 1; attempt <= MAX_ATTEMPT; attempt++) {
        if (await mark('started', attempt, startedAt)) return attempt;
      }
      return MAX_ATTEMPT;
    };

    let attempt = options.actFirst ? 0 : await begin();
    let result: R;
    try {
      result = await core(state, deps, { step: name, attempt, timeline });
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      try {
        if (attempt === 0) attempt = await begin();
        await mark('failed', attempt, deps.now(), message);
      } catch (recordErr) {
        // The step's own error is the one the state machine must see.
        logger.error('could not record the failed step', { step: key, error: String(recordErr) });
      }
      throw err;
    }
    if (attempt === 0) attempt = await begin();
    await mark('succeeded', attempt, deps.now());
    return result;
  };
}
