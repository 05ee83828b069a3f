import { cloudWatchClient } from '../src/aws/cloudwatch.ts';
import { ssmClient } from '../src/aws/ssm.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { triage } from '../src/remediation/triage.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'RemediationTriage',
  remediationState,
  (state) =>
    triage(state, liveRemediationDeps({ ssm: ssmClient() }), {
      cloudwatch: cloudWatchClient(),
      // Only experiment events need FIS, whose client is the largest: loaded when one comes.
      fis: () => import('../src/aws/fis.ts').then((m) => m.fisClient()),
    }),
  (s) => s.remediationId,
);
