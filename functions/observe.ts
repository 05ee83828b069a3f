import { cloudWatchClient } from '../src/aws/cloudwatch.ts';
import { fisClient } from '../src/aws/fis.ts';
import { route53Client } from '../src/aws/route53.ts';
import { ssmClient } from '../src/aws/ssm.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { observe } from '../src/gameday/observe.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Observe',
  gameDayState,
  (state) =>
    observe(
      state,
      liveDeps({
        fis: fisClient(),
        ssm: ssmClient(),
        cloudwatch: cloudWatchClient(),
        route53: route53Client(),
      }),
    ),
  (s) => s.gamedayId,
);
