import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveServerless } from '../../sandbox/deploy/resolve.ts';
import type { ClientConfig } from './sandbox.ts';

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Creates one of serverless.yml's tables (`resource`, e.g. RemediationTable) in a sandbox's
 * DynamoDB under a name of the test's own, from the resolved file itself, so the key schema and
 * indexes the tests run on are the ones deployed.
 */
export async function serverlessTable(
  config: ClientConfig,
  resource: string,
  name: string,
): Promise<{ db: DynamoDBDocumentClient; table: string }> {
  const resolved = await resolveServerless(PROJECT);
  const props = resolved.resources?.Resources?.[resource]?.Properties;
  if (!props) throw new Error(`serverless.yml declares no ${resource}`);
  const raw = new DynamoDBClient(config);
  await raw.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: props.AttributeDefinitions,
      KeySchema: props.KeySchema,
      LocalSecondaryIndexes: props.LocalSecondaryIndexes,
      BillingMode: props.BillingMode,
    } as CreateTableCommandInput),
  );
  // dynalite makes a table ACTIVE just after answering CreateTable; until then items are refused.
  for (let i = 0; i < 100; i++) {
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return { db: DynamoDBDocumentClient.from(raw), table: name };
  }
  throw new Error(`table ${name} did not become ACTIVE`);
}

/** serverless.yml's RemediationTable, under a name of the test's own. */
export function remediationTable(
  config: ClientConfig,
  name: string,
): Promise<{ db: DynamoDBDocumentClient; table: string }> {
  return serverlessTable(config, 'RemediationTable', name);
}
