import { snsClient } from '../src/aws/sns.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { notify } from '../src/gameday/notify.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Notify',
  gameDayState,
  (state) => notify(state, liveDeps({ sns: snsClient() })),
  (s) => s.gamedayId,
);
