import { snsClient } from '../src/aws/sns.ts';
import { approvalDenied } from '../src/remediation/approval.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { remediationState } from '../src/remediation/state.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'ApprovalDenied',
  remediationState,
  (state) => approvalDenied(state, liveRemediationDeps({ sns: snsClient() })),
  (s) => s.remediationId,
);
