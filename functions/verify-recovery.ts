import { liveDeps } from '../src/gameday/deps.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { verifyRecovery } from '../src/gameday/verify-recovery.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'VerifyRecovery',
  gameDayState,
  (state) => verifyRecovery(state, liveDeps()),
  (s) => s.gamedayId,
);
