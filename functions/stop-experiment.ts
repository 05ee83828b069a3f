import { fisClient } from '../src/aws/fis.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { stopExperiment } from '../src/gameday/stop-experiment.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'StopExperiment',
  gameDayState,
  (state) => stopExperiment(state, liveDeps({ fis: fisClient() })),
  (s) => s.gamedayId,
);
