import { snsClient } from '../src/aws/sns.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { recordFailure } from '../src/remediation/outcome.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'RecordFailure',
  remediationState,
  (state) => recordFailure(state, liveRemediationDeps({ sns: snsClient() })),
  (s) => s.remediationId,
);
