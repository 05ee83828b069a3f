import { snsClient } from '../src/aws/sns.ts';
import { liveRemediationDeps } from '../src/remediation/deps.ts';
import { notifyInput, remediationNotify } from '../src/remediation/notify.ts';
import { taskHandler } from '../src/runtime/handler.ts';

export const handler = taskHandler(
  'RemediationNotify',
  notifyInput,
  (input) => remediationNotify(input, liveRemediationDeps({ sns: snsClient() })),
  (i) => i.state.remediationId,
);
