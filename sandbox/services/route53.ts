import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createRoute53Service(_core: SandboxCore): SandboxService {
  return {
    signingName: 'route53',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'Route53 is not emulated yet');
    },
  };
}
