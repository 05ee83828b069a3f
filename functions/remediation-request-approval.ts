import { snsClient } from '../src/aws/sns.ts';
import { approvalRequest, requestApproval } from '../src/remediation/approval.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'RequestApproval',
  approvalRequest,
  (input) => requestApproval(input, liveRemediationDeps({ sns: snsClient() })),
  (i) => i.state.remediationId,
);
