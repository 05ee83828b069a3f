import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FisClient, GetExperimentCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { FAULTLINE_BIN, type RunningSandbox, startSandboxProcess } from '../helpers/cli.ts';
import { entryOf } from '../remediation/event-bus.ts';
import { alarmEvent } from '../runbooks/events.ts';

const ACCOUNT = '123456789012';
const GAMEDAY = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:faultline-dev-gameday`;
/** Real time a test waits for the sandbox to get somewhere before it gives up. */
const PATIENCE_MS = 180_000;

/**
 * `faultline sandbox` (and `faultline gameday`) as processes, stopped the hard way (kill -9) or
 * the soft way (SIGTERM) in the middle of a game day or an event storm, then started again on the
 * same state folder: what was running ends failed at the moment the state last shows it alive,
 * its incident gets the failure, a report and an end, and every event the sandbox acknowledged
 * reaches a timeline.
 */
describe('a sandbox stopped mid-run and started again', () => {
  let dir: string;
  const running: RunningSandbox[] = [];
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-crash-'));
  });
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  const stateDir = () => join(dir, 'state');

  async function sandbox(speed: number, fresh = false): Promise<RunningSandbox> {
    const s = await startSandboxProcess(
      ['--port', '0', '--state-dir', stateDir(), '--speed', String(speed), ...(fresh ? ['--fresh'] : [])],
      dir,
    );
    running.push(s);
    return s;
  }

  function clients(endpoint: string) {
    const config = {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      maxAttempts: 1,
    };
    return {
      sfn: new SFNClient(config),
      fis: new FisClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      events: new EventBridgeClient(config),
      store: new TimelineStore(
        DynamoDBDocumentClient.from(new DynamoDBClient(config), {
          marshallOptions: { removeUndefinedValues: true },
        }),
        'faultline-dev-timeline',
      ),
    };
  }

  /** Polls (on real time) until `found` gives something. */
  async function until<T>(found: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = performance.now() + PATIENCE_MS;
    for (;;) {
      const v = await found().catch(() => undefined);
      if (v !== undefined) return v;
      if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function killHard(s: RunningSandbox): Promise<void> {
    const closed = new Promise((r) => s.child.once('close', r));
    s.child.kill('SIGKILL');
    await closed;
    running.splice(running.indexOf(s), 1);
  }

  /** The virtual time the state folder was last saved at: the last moment it shows anything alive. */
  async function lastSaved(): Promise<number> {
    return JSON.parse(await readFile(join(stateDir(), 'sandbox-state.json'), 'utf8')).virtualTime;
  }

  /** After the restart: the game day's incident closed as failed, with the failure and a report. */
  async function reconciled(endpoint: string, gamedayId: string, lastAlive: number) {
    const c = clients(endpoint);
    const incident = await until(async () => {
      const i = await c.store.findIncident(gamedayId);
      return i?.status === 'failed' && i.attributes.reports ? i : undefined;
    }, `incident ${gamedayId} to be failed and reported`);
    const events = await c.store.all(gamedayId);
    const failed = events.find((e: TimelineEvent) => e.kind === 'gameday.failed');
    expect(failed?.detail).toMatchObject({ error: 'Sandbox.Stopped' });
    expect(String(failed?.detail.cause)).toContain(new Date(lastAlive).toISOString());
    const execution = await c.sfn.send(
      new DescribeExecutionCommand({
        executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:faultline-dev-gameday:${gamedayId}`,
      }),
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Sandbox.Stopped' });
    expect(execution.stopDate?.getTime()).toBe(lastAlive);
    const { experiments = [] } = await c.fis.send(new ListExperimentsCommand({}));
    expect(experiments.length).toBeGreaterThan(0);
    for (const e of experiments) {
      const exp = (await c.fis.send(new GetExperimentCommand({ id: e.id }))).experiment!;
      expect(exp.state?.status).toBe('failed');
      expect(exp.endTime?.getTime()).toBe(lastAlive);
    }
    const json = (incident as Incident).attributes.reports as { json: string };
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(json.json)!;
    const report = JSON.parse(
      await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(),
    ) as { remediations?: { runs?: { outcome: string }[] } };
    // Nothing is left "in progress": a remediation the stop cut short is recorded failed.
    expect((report.remediations?.runs ?? []).filter((r) => r.outcome === 'in-progress')).toEqual([]);
  }

  // SIGTERM of the sandbox is its orderly close, as in test/gameday/interrupted.test.ts (in-process).
  for (const signal of ['SIGKILL'] as const) {
    it(`${signal} of \`faultline sandbox\` mid game day: the game day fails at its last sign of life, its incident is closed and reported`, async () => {
      const experiment = await loadExperimentFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'));
      const first = await sandbox(60, true);
      const c = clients(first.endpoint);
      const gamedayId = 'instance-kill-crash';
      await c.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: GAMEDAY,
          name: gamedayId,
          input: JSON.stringify({ gamedayId, experiment, requestedBy: 'test' }),
        }),
      );
      await until(async () => {
        const { experiments = [] } = await c.fis.send(new ListExperimentsCommand({}));
        return experiments.find((e) => e.state?.status === 'running');
      }, 'the experiment to run');
      // Into the fault: the observation loop is running, alarms are reacting.
      await new Promise((r) => setTimeout(r, 3000));
      if (signal === 'SIGKILL') await killHard(first);
      else {
        expect(await first.stop()).toBe(0);
        running.splice(running.indexOf(first), 1);
      }
      const lastAlive = await lastSaved();

      const second = await sandbox(600);
      await reconciled(second.endpoint, gamedayId, lastAlive);
    }, 600_000);
  }

  it('SIGTERM of `faultline gameday` (its own sandbox): the next start of the sandbox closes and reports the game day', async () => {
    const child = spawn(
      process.execPath,
      [
        FAULTLINE_BIN,
        'gameday',
        'instance-kill',
        '--state-dir',
        stateDir(),
        '--speed',
        '60',
        '--fresh',
        '--out',
        join(dir, 'reports'),
      ],
      { cwd: PROJECT_DIR },
    );
    children.push(child);
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((r) => child.once('close', r));
    await until(
      async () => (/Game day (\S+):/.test(stdout) && /Observe/.test(stdout) ? true : undefined),
      'the game day to observe',
    );
    const gamedayId = /Game day (\S+):/.exec(stdout)![1]!;
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const lastAlive = await lastSaved();

    const next = await sandbox(600);
    await reconciled(next.endpoint, gamedayId, lastAlive);
  }, 600_000);

  it('kill -9 mid storm: every event PutEvents acknowledged reaches a timeline after the restart', async () => {
    const first = await sandbox(60, true);
    const c = clients(first.endpoint);
    // An alarm no runbook is for: each delivery is one short remediation that records it and drops it.
    const entry = entryOf(
      alarmEvent({
        name: 'billing-queue-depth',
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
      }),
    );
    const acknowledged: string[] = [];
    let killed = false;
    const send = async () => {
      while (!killed) {
        try {
          const out = await c.events.send(
            new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => entry) }),
          );
          if (!killed)
            acknowledged.push(...(out.Entries ?? []).flatMap((e) => (e.EventId ? [e.EventId] : [])));
        } catch {
          return;
        }
      }
    };
    const senders = Array.from({ length: 8 }, send);
    await until(async () => (acknowledged.length >= 400 ? true : undefined), '400 events to be acknowledged');
    killed = true;
    await killHard(first);
    await Promise.all(senders);
    const sent = [...acknowledged];

    const second = await sandbox(600);
    const after = clients(second.endpoint);
    const missing = await until(async () => {
      const seen = new Set<string>();
      const { incidents } = await after.store.listIncidents({ limit: 1000 });
      for (const i of incidents) {
        for (const e of await after.store.all(i.incidentId)) {
          if (typeof e.detail.eventId === 'string') seen.add(e.detail.eventId);
        }
      }
      const left = sent.filter((id) => !seen.has(id));
      return left.length === 0 ? left : undefined;
    }, `all ${sent.length} acknowledged events on a timeline`);
    expect(missing).toEqual([]);
  }, 600_000);
});
