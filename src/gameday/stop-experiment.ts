import type * as z from '../zod.ts';
import { stopUnlessTerminal } from './fis-experiments.ts';
import { eventIds } from './record.ts';
import type { GameDayState, stopResult } from './state.ts';
import { gameDayStep } from './step.ts';

export type StopResult = z.infer<typeof stopResult>;

/**
 * StopExperiment: a guardrail tripped or the kill switch is set. An experiment that ended on its
 * own meanwhile is not an error: the point is that no fault stays active.
 */
export const stopExperiment = gameDayStep<GameDayState, StopResult, 'fis'>(
  { step: 'StopExperiment' },
  async (state, deps, { timeline }) => {
    const run = state.experimentRun;
    if (!run) throw new Error('StopExperiment: the state has no experiment run (experimentRun.experimentId)');
    const reason = state.observation?.stopReason ?? 'stop requested';
    const requestedAt = deps.now();
    const { stopped, status } = await stopUnlessTerminal(deps.aws.fis, run.experimentId);
    // An experiment that had already ended is recorded by the next observation, with its end time.
    if (stopped) {
      await timeline.record('fis.experiment', {
        eventId: eventIds.experiment(run.experimentId, status),
        occurredAt: requestedAt,
        summary: `FIS experiment ${run.experimentId} ${status}: stop requested (${reason})`,
        detail: { experimentId: run.experimentId, status, reason },
      });
    }
    return {
      requestedAt: requestedAt.toISOString(),
      reason: stopped ? reason : `${reason} (the experiment had already ended: ${status})`,
    };
  },
);
