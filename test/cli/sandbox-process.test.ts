import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, runCli, startSandboxProcess } from '../helpers/cli.ts';
import { createIdTable } from '../helpers/sandbox.ts';

/**
 * `faultline sandbox` as a user runs it: a separate process, reached only through the
 * AWS_ENDPOINT_URL it prints, with state kept in its folder between runs.
 */
describe('faultline sandbox (process)', () => {
  let dir: string;
  let running: RunningSandbox | undefined;
  const savedEnv = { ...process.env };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-sandbox-'));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    process.env = { ...savedEnv };
    await rm(dir, { recursive: true, force: true });
  });

  /** An SDK client configured the way a user's shell would configure it: through the environment. */
  function dynamoFromEnv(endpoint: string): DynamoDBClient {
    process.env.AWS_ENDPOINT_URL = endpoint;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'sandbox';
    process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
    return new DynamoDBClient({});
  }

  it('prints its endpoint, serves DynamoDB through it, and keeps tables across restarts', async () => {
    running = await startSandboxProcess(['--port', '0', '--fresh'], dir);
    expect(running.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.stderr()).toContain("world 'checkout'");

    const ddb = dynamoFromEnv(running.endpoint);
    await createIdTable(ddb, 'notes');
    await ddb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: 'a' }, text: { S: 'kept' } } }));
    ddb.destroy();
    expect(await running.stop()).toBe(0);

    running = await startSandboxProcess(['--port', '0'], dir);
    const again = dynamoFromEnv(running.endpoint);
    const got = await again.send(new GetItemCommand({ TableName: 'notes', Key: { id: { S: 'a' } } }));
    expect(got.Item?.text?.S).toBe('kept');
    again.destroy();
  });

  it('rejects a bad world file with one line naming the field, and starts nothing', async () => {
    const world = join(dir, 'bad-world.yaml');
    await writeFile(world, 'name: x\nregion: mars-1\n');
    const r = await runCli(['sandbox', '--port', '0', '--world', world], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad-world.yaml: region: must be a region name');
    expect(r.stdout).not.toContain('AWS_ENDPOINT_URL');
  });

  it('rejects a bad flag with a message that names it', async () => {
    const r = await runCli(['sandbox', '--speed', '-3'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--speed <f>' argument '-3' is invalid");
  });
});
