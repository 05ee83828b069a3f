import { liveDeps } from '../src/gameday/deps.ts';
import { observe } from '../src/gameday/observe.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Observe',
  gameDayState,
  (state) => observe(state, liveDeps()),
  (s) => s.gamedayId,
);
