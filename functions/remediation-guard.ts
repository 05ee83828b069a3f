import { ssmClient } from '../src/aws/ssm.ts';
import { admitRemediation } from '../src/remediation/admission.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Guard',
  remediationState,
  (state) => admitRemediation(state, liveRemediationDeps({ ssm: ssmClient() })),
  (s) => s.remediationId,
);
