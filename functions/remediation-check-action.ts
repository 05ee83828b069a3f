import { checkAction } from '../src/remediation/check-action.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'CheckAction',
  remediationState,
  (state) => checkAction(state, liveRemediationDeps()),
  (s) => s.remediationId,
);
