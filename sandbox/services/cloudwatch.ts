import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createCloudWatchService(_core: SandboxCore): SandboxService {
  return {
    signingName: 'monitoring',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'CloudWatch is not emulated yet');
    },
  };
}
