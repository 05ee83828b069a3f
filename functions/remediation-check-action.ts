import { route53Client } from '../src/aws/route53.ts';
import { ssmClient } from '../src/aws/ssm.ts';
import { checkAction } from '../src/remediation/check-action.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'CheckAction',
  remediationState,
  (state) => checkAction(state, liveRemediationDeps({ ssm: ssmClient(), route53: route53Client() })),
  (s) => s.remediationId,
);
