import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { startSandbox } from '../helpers/sandbox.ts';

/**
 * A sandbox stopped between CreateTable and the table turning ACTIVE (Ctrl-C during the first
 * deploy) leaves a table CREATING in its state folder. The next start must not be stuck on it.
 */
describe('table changes a stopped sandbox left half-done', () => {
  let dir: string | undefined;
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes them when the state folder is opened again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-table-repair-'));
    const db = new Level<string, Record<string, unknown>>(join(dir, 'dynamodb'), { valueEncoding: 'json' });
    const table = (name: string, status: string) => ({
      TableName: name,
      TableStatus: status,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
      TableSizeBytes: 0,
      ItemCount: 0,
      CreationDateTime: 1767603600,
      TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
    });
    await db.put('table~interrupted', table('interrupted', 'CREATING'));
    await db.put('table~dropping', table('dropping', 'DELETING'));
    await db.put('table~fine', table('fine', 'ACTIVE'));
    await db.close();

    const started = await startSandbox({ stateDir: dir });
    sb = started.sb;
    const ddb = new DynamoDBClient(started.config);
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(['fine', 'interrupted']);
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'interrupted' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    ddb.destroy();
  });
});
