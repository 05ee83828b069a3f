import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createSSMService(_core: SandboxCore): SandboxService {
  return {
    signingName: 'ssm',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'SSM is not emulated yet');
    },
  };
}
