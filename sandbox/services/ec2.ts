import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createEC2Service(_core: SandboxCore): SandboxService {
  return {
    signingName: 'ec2',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'EC2 is not emulated yet');
    },
  };
}
