import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createFISService(_core: SandboxCore): SandboxService {
  return {
    signingName: 'fis',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'FIS is not emulated yet');
    },
  };
}
