import { cloudWatchClient } from '../src/aws/cloudwatch.ts';
import { fisClient } from '../src/aws/fis.ts';
import { route53Client } from '../src/aws/route53.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { verifyRecovery } from '../src/gameday/verify-recovery.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'VerifyRecovery',
  gameDayState,
  (state) =>
    verifyRecovery(
      state,
      liveDeps({ fis: fisClient(), cloudwatch: cloudWatchClient(), route53: route53Client() }),
    ),
  (s) => s.gamedayId,
);
