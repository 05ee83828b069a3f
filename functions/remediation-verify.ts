import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { verifyRemediation } from '../src/remediation/verify.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Verify',
  remediationState,
  (state) => verifyRemediation(state, liveRemediationDeps()),
  (s) => s.remediationId,
);
