import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { ClassicLevel } from 'classic-level';
import { Sandbox } from '../sandbox/sandbox.ts';
import { figure } from './print.ts';

const WRITES = 300;
const item = (i: number) => ({ v: 'x'.repeat(500), i });

/** Milliseconds per write, one after the other and all at once, with and without LevelDB's sync. */
async function leveldb(dir: string): Promise<void> {
  for (const sync of [false, true]) {
    const db = new ClassicLevel<string, unknown>(join(dir, `raw-${sync}`), { valueEncoding: 'json' });
    await db.open();
    let t = performance.now();
    for (let i = 0; i < WRITES; i++) await db.put(`s${i}`, item(i), { sync });
    const serial = (performance.now() - t) / WRITES;
    t = performance.now();
    await Promise.all(Array.from({ length: WRITES }, (_, i) => db.put(`c${i}`, item(i), { sync })));
    const together = (performance.now() - t) / WRITES;
    await db.close();
    const kind = sync ? 'synced' : 'unsynced';
    figure(`sandbox.leveldb.write.${kind}.serial`, serial, 'ms');
    figure(`sandbox.leveldb.write.${kind}.concurrent`, together, 'ms');
  }
}

/** PutItem through a sandbox: in memory, and on a state folder (every write synced). */
async function putItem(dir: string): Promise<void> {
  for (const stateDir of [undefined, join(dir, 'state')]) {
    const sb = await Sandbox.create({ stateDir, fresh: true });
    const ddb = new DynamoDBClient({
      endpoint: await sb.listen(0),
      region: sb.world.region,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: 'bench',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: 'bench' });
      const put = (id: string) =>
        ddb.send(
          new PutItemCommand({ TableName: 'bench', Item: { id: { S: id }, v: { S: 'x'.repeat(500) } } }),
        );
      let t = performance.now();
      for (let i = 0; i < WRITES; i++) await put(`s${i}`);
      const serial = (performance.now() - t) / WRITES;
      t = performance.now();
      await Promise.all(Array.from({ length: WRITES }, (_, i) => put(`c${i}`)));
      const together = (performance.now() - t) / WRITES;
      const kind = stateDir ? 'state_folder' : 'in_memory';
      figure(`sandbox.dynamodb.put.${kind}.serial`, serial, 'ms');
      figure(`sandbox.dynamodb.put.${kind}.concurrent`, together, 'ms');
    } finally {
      ddb.destroy();
      await sb.close();
    }
  }
}

/** What durability costs: LevelDB writes with and without sync, and PutItem through the sandbox. */
export async function sandboxBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-bench-sandbox-'));
  try {
    await leveldb(dir);
    await putItem(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
