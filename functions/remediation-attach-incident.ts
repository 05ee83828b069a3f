import { attachIncident } from '../src/remediation/attach.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'AttachIncident',
  remediationState,
  (state) => attachIncident(state, liveRemediationDeps({})),
  (s) => s.remediationId,
);
