import { fisClient } from '../src/aws/fis.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { startExperiment } from '../src/gameday/start-experiment.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'StartExperiment',
  gameDayState,
  (state) => startExperiment(state, liveDeps({ fis: fisClient() })),
  (s) => s.gamedayId,
);
