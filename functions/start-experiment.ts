import { liveDeps } from '../src/gameday/deps.ts';
import { startExperiment } from '../src/gameday/start-experiment.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'StartExperiment',
  gameDayState,
  (state) => startExperiment(state, liveDeps()),
  (s) => s.gamedayId,
);
