import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import type { LocalStack } from '../sandbox/local.ts';
import { client } from '../src/aws/clients.ts';

/**
 * The ARN of one of the project's state machines (`gameday`, `remediation`): from the local stack
 * when the CLI started one, else found by the name serverless.yml gives it
 * (`faultline-<stage>-<key>`) where the CLI's AWS environment points. Undefined when not deployed.
 */
export async function stateMachineArn(
  key: string,
  stage: string,
  stack: LocalStack | undefined,
): Promise<string | undefined> {
  const deployed = stack?.deployment.stateMachines[key];
  if (deployed) return deployed;
  const name = `faultline-${stage}-${key}`;
  let nextToken: string | undefined;
  do {
    const page = await client('sfn').send(new ListStateMachinesCommand({ nextToken }));
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}
