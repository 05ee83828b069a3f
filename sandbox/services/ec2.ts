import type { SandboxCore } from '../context.ts';
import { queryProtocol } from '../protocol/query.ts';
import { instanceOperations } from './ec2/instances.ts';
import { networkOperations } from './ec2/network.ts';
import type { SandboxService } from './service.ts';

/**
 * EC2 (ec2Query: form-encoded `Action=…&Version=2016-11-15`, XML in EC2's dialect): the world's
 * instances, subnets and AZs as FIS targeting and the runbooks see them, and the instance state
 * changes, which go through the world's own state machine and timings.
 */
export function createEC2Service(core: SandboxCore): SandboxService {
  return {
    signingName: 'ec2',
    handler: queryProtocol({
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      dialect: 'ec2',
      operations: {
        ...instanceOperations(core.world),
        ...networkOperations(core.world),
      },
    }),
  };
}
