import { mkdtemp, readdir, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MANIFEST_KEY } from '../../sandbox/durable-level.ts';
import { Sandbox } from '../../sandbox/sandbox.ts';
import { StateDamagedError } from '../../sandbox/state-check.ts';
import { createIdTable, startSandbox } from '../helpers/sandbox.ts';

// Watches LevelDB's batch writes, below the sandbox's group commit, which takes the method it
// wraps when the first sandbox with a state folder starts (later in this file).
const batch = vi.spyOn(ClassicLevel.prototype as unknown as { _batch: () => Promise<void> }, '_batch');

/**
 * A state folder that lost part of itself (a LevelDB log cut short or emptied, CURRENT deleted,
 * garbage in a table file, the state file gone) is refused at start with one error that names the
 * file, what is lost and the ways on, never opened as if nothing happened. `repair` keeps what is
 * left and says what it kept.
 */
describe('a damaged state folder', () => {
  let dir: string;
  const opened: Sandbox[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-damage-'));
  });
  afterEach(async () => {
    for (const sb of opened.splice(0)) await sb.close();
    await rm(dir, { recursive: true, force: true });
  });

  const db = () => join(dir, 'dynamodb');

  /** A sandbox that wrote `items` items to table `notes`, then stopped; returns the time it stopped at. */
  async function writeItems(items: number, opts: { compact?: boolean } = {}): Promise<number> {
    const { sb, config } = await startSandbox({ stateDir: dir, fresh: true });
    const ddb = new DynamoDBClient(config);
    try {
      await createIdTable(ddb, 'notes');
      for (let i = 0; i < items; i++) {
        await ddb.send(
          new PutItemCommand({
            TableName: 'notes',
            Item: { id: { S: `n${i}` }, text: { S: 'x'.repeat(200) } },
          }),
        );
      }
    } finally {
      ddb.destroy();
    }
    const stoppedAt = sb.clock.now();
    await sb.close();
    if (opts.compact) {
      // Moves everything out of the log into table (.ldb) files, as LevelDB does over time.
      const level = new ClassicLevel(db());
      await level.open();
      await level.compactRange('\x00', '\xff');
      await level.close();
    }
    return stoppedAt;
  }

  async function reopen(opts: { repair?: boolean } = {}) {
    const started = await startSandbox({ stateDir: dir, ...opts });
    opened.push(started.sb);
    return started;
  }

  async function refusal(): Promise<string> {
    const e = await reopen().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StateDamagedError);
    return (e as Error).message;
  }

  async function notes(config: Awaited<ReturnType<typeof reopen>>['config']): Promise<number> {
    const ddb = new DynamoDBClient(config);
    const out = await ddb.send(new ScanCommand({ TableName: 'notes', Select: 'COUNT' }));
    ddb.destroy();
    return out.Count ?? 0;
  }

  async function logFile(): Promise<string> {
    const log = (await readdir(db())).find((f) => f.endsWith('.log'));
    if (!log) throw new Error('no LevelDB log in the state folder');
    return join(db(), log);
  }

  it('syncs every write before it is acknowledged, and counts them beside the data', async () => {
    batch.mockClear();
    await writeItems(5);
    // Every write went as a synced batch that also carried the count.
    const calls = batch.mock.calls as unknown as [{ key: string }[], { sync?: boolean }][];
    expect(calls.length).toBeGreaterThan(0);
    for (const [ops, options] of calls) {
      expect(options.sync).toBe(true);
      expect(ops.at(-1)?.key).toBe(MANIFEST_KEY);
    }
    const state = JSON.parse(await readFile(join(dir, 'sandbox-state.json'), 'utf8'));
    const level = new ClassicLevel<string, { writes: number }>(db(), { valueEncoding: 'json' });
    const manifest = await level.get(MANIFEST_KEY);
    await level.close();
    // The table (1 write, then 1 turning it ACTIVE) and five items, at least.
    expect(manifest?.writes).toBeGreaterThanOrEqual(7);
    expect(state.dynamodb).toEqual({ writes: manifest?.writes });
  });

  it('refuses a LevelDB log cut in half, naming the folder and how many writes are lost; repair keeps the rest', async () => {
    await writeItems(60);
    const log = await logFile();
    await truncate(log, Math.floor((await stat(log)).size / 2));

    const message = await refusal();
    expect(message).toContain(`the sandbox's state in ${dir} is damaged`);
    expect(message).toMatch(
      /dynamodb holds \d+ write\(s\), but sandbox-state\.json \(saved at [^)]+\) recorded \d+: the last \d+ are lost/,
    );
    expect(message).toContain('--repair');
    expect(message).toContain('--fresh');

    const { sb, config } = await reopen({ repair: true });
    expect(sb.repaired.join('\n')).toMatch(/the last \d+ are lost/);
    const left = await notes(config);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(60);
  });

  it('refuses an emptied log', async () => {
    await writeItems(10);
    await truncate(await logFile(), 0);
    expect(await refusal()).toMatch(
      /dynamodb holds 0 write\(s\), but sandbox-state\.json .* recorded \d+: the last \d+ are lost \(it holds no items;/,
    );
  });

  it('refuses a database whose CURRENT is gone, and LevelDB repair brings its data back', async () => {
    await writeItems(20, { compact: true });
    await unlink(join(db(), 'CURRENT'));
    const message = await refusal();
    expect(message).toContain(`${join(db(), 'CURRENT')} is missing: LevelDB cannot find its data`);
    // Refusing changed nothing: there is still no CURRENT to start an empty database on.
    expect((await readdir(db())).includes('CURRENT')).toBe(false);

    const { config } = await reopen({ repair: true });
    expect(await notes(config)).toBe(20);
  });

  it('refuses garbage in a table file at start rather than crashing on the first Scan', async () => {
    await writeItems(40, { compact: true });
    const table = (await readdir(db())).find((f) => f.endsWith('.ldb'));
    expect(table).toBeDefined();
    const file = join(db(), table!);
    const bytes = await readFile(file);
    bytes.fill(0x5a, 64, Math.min(bytes.length - 64, 4096));
    await writeFile(file, bytes);
    const message = await refusal();
    expect(message).toMatch(/dynamodb cannot be read: .*/);
    expect(message).toContain('--repair');
  });

  it('refuses a state folder whose sandbox-state.json is gone; repair resumes after the last write', async () => {
    const stoppedAt = await writeItems(3);
    await unlink(join(dir, 'sandbox-state.json'));
    const message = await refusal();
    expect(message).toContain(`${join(dir, 'sandbox-state.json')} is missing, while ${db()} holds`);
    expect(message).toContain("the sandbox's clock, FIS templates and experiments");

    // Whatever the clock of the next start would say, time resumes after what the tables hold.
    expect(await Sandbox.savedTime(dir)).toBe(stoppedAt);
    const { sb, config } = await reopen({ repair: true });
    expect(sb.repaired.join('\n')).toContain('sandbox-state.json is missing');
    expect(await notes(config)).toBe(3);
  });

  it('refuses a state file that is not JSON; repair sets it aside', async () => {
    await writeItems(1);
    await writeFile(join(dir, 'sandbox-state.json'), '{"fis": {"version": 1, "temp');
    expect(await refusal()).toMatch(/sandbox-state\.json cannot be read \(.*JSON.*\)/);
    await reopen({ repair: true });
    expect((await readdir(dir)).includes('sandbox-state.json.damaged')).toBe(true);
  });
});
