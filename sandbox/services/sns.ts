import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createSNSService(_core: SandboxCore): SandboxService {
  return {
    signingName: 'sns',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'SNS is not emulated yet');
    },
  };
}
