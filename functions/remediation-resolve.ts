import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { resolveRemediation } from '../src/remediation/outcome.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'Resolve',
  remediationState,
  (state) => resolveRemediation(state, liveRemediationDeps({})),
  (s) => s.remediationId,
);
