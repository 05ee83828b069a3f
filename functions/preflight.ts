import { cloudWatchClient } from '../src/aws/cloudwatch.ts';
import { ec2Client } from '../src/aws/ec2.ts';
import { fisClient } from '../src/aws/fis.ts';
import { route53Client } from '../src/aws/route53.ts';
import { ssmClient } from '../src/aws/ssm.ts';
import { liveDeps } from '../src/gameday/deps.ts';
import { preflight } from '../src/gameday/preflight.ts';
import { gameDayState } from '../src/gameday/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Preflight',
  gameDayState,
  (state) =>
    preflight(
      state,
      liveDeps({
        fis: fisClient(),
        ssm: ssmClient(),
        cloudwatch: cloudWatchClient(),
        route53: route53Client(),
        ec2: ec2Client(),
      }),
    ),
  (s) => s.gamedayId,
);
