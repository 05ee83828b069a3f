import { cloudWatchClient } from '../src/aws/cloudwatch.ts';
import { route53Client } from '../src/aws/route53.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { verifyRemediation } from '../src/remediation/verify.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Verify',
  remediationState,
  (state) =>
    verifyRemediation(
      state,
      liveRemediationDeps({ cloudwatch: cloudWatchClient(), route53: route53Client() }),
    ),
  (s) => s.remediationId,
);
