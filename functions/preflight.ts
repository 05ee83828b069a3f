import { liveDeps } from '../src/gameday/deps.ts';
import { preflight } from '../src/gameday/preflight.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Preflight',
  gameDayState,
  (state) => preflight(state, liveDeps()),
  (s) => s.gamedayId,
);
