import { cloudWatchClient } from '../src/aws/cloudwatch.ts';
import { route53Client } from '../src/aws/route53.ts';
import { ssmClient } from '../src/aws/ssm.ts';
import { act } from '../src/remediation/act.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Act',
  remediationState,
  (state) =>
    act(state, liveRemediationDeps({ ssm: ssmClient(), route53: route53Client() }), {
      cloudwatch: cloudWatchClient(),
      // Only experiment events need FIS, whose client is the largest: loaded when one comes.
      fis: () => import('../src/aws/fis.ts').then((m) => m.fisClient()),
    }),
  (s) => s.remediationId,
);
