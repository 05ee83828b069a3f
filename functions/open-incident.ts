import { liveDeps } from '../src/gameday/deps.ts';
import { openIncident } from '../src/gameday/open-incident.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'OpenIncident',
  gameDayState,
  (state) => openIncident(state, liveDeps({})),
  (s) => s.gamedayId,
);
