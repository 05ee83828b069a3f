import type { SandboxCore } from '../context.ts';
import { AwsError } from '../protocol/types.ts';
import type { SandboxService } from './service.ts';

export function createS3Service(_core: SandboxCore): SandboxService {
  return {
    signingName: 's3',
    handler: async () => {
      throw new AwsError('UnknownOperationException', 'S3 is not emulated yet');
    },
  };
}
