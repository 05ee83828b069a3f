import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { Sandbox, type SandboxOptions } from '../../sandbox/sandbox.ts';

/** What every SDK v3 client needs to talk to a sandbox: its endpoint and dummy credentials. */
export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}

/**
 * Starts a sandbox on a free loopback port, on a private virtual clock that only moves when the
 * test says so (`sb.clock.advance(ms)`).
 */
export async function startSandbox(
  opts: SandboxOptions = {},
): Promise<{ sb: Sandbox; config: ClientConfig }> {
  const sb = await Sandbox.create(opts);
  const endpoint = await sb.listen(0);
  return {
    sb,
    config: {
      endpoint,
      region: sb.world.region,
      credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox-secret' },
      maxAttempts: 1,
    },
  };
}

/** Creates a table keyed by a string `id` and waits until it is ACTIVE, as any client must. */
export async function createIdTable(ddb: DynamoDBClient, name: string): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // As on AWS, a new table is CREATING for a moment.
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
}
