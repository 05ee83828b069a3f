import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { LocalStack } from '../sandbox/local.ts';
import { client } from '../src/aws/clients.ts';

/**
 * Sets a sandbox's remediation switch (src/observe/remediation-switch.ts reads it). Kept out of
 * the functions' modules: no deployed function may write it.
 */
export async function switchRemediation(stack: LocalStack, value: 'on' | 'off'): Promise<void> {
  await client('ssm').send(
    new PutParameterCommand({
      Name: stack.deployment.environment.FAULTLINE_REMEDIATION_SWITCH_PARAMETER!,
      Value: value,
      Type: 'String',
      Overwrite: true,
    }),
  );
}
