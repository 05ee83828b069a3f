import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsEvent } from '../../sandbox/events.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { EventJournal } from '../../sandbox/services/events/journal.ts';
import type { EventsService } from '../../sandbox/services/events.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

const ACCOUNT = '123456789012';
const MACHINE = 'journal-target';
const machineArn = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${MACHINE}`;

/**
 * What EventBridge acknowledged, it delivers at least once, also across a stop of the sandbox: an
 * accepted event is journaled (synced) before PutEvents answers, and marked done only once its
 * targets have it and the state recording that is saved.
 */
describe('EventBridge deliveries across a restart', () => {
  let dir: string;
  let sb: Sandbox | undefined;
  let config: ClientConfig;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-journal-'));
  });
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** A sandbox on the folder, with a state machine (which a deploy re-creates at every start). */
  async function open(fresh: boolean): Promise<{ eb: EventBridgeClient; sfn: SFNClient }> {
    ({ sb, config } = await startSandbox({ stateDir: dir, fresh }));
    const sfn = new SFNClient(config);
    await sfn.send(
      new CreateStateMachineCommand({
        name: MACHINE,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    );
    return { eb: new EventBridgeClient(config), sfn };
  }

  async function startedBy(sfn: SFNClient): Promise<string[]> {
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    const ids: string[] = [];
    for (const e of executions) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      ids.push((JSON.parse(d.input!) as AwsEvent).id);
    }
    return ids.sort();
  }

  it('delivers after a restart what was accepted and not yet delivered', async () => {
    const { eb, sfn } = await open(true);
    await eb.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'sm', Arn: machineArn }] }));
    // The target is down: the deliveries wait for their retries (on the virtual clock).
    (sb!.service('events') as EventsService).throttleTarget(machineArn, 100);
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [1, 2, 3].map((n) => ({
          Source: 'shop',
          DetailType: 'Order',
          Detail: JSON.stringify({ n }),
        })),
      }),
    );
    const accepted = (out.Entries ?? []).map((e) => e.EventId!).sort();
    expect(accepted).toHaveLength(3);
    expect(await startedBy(sfn)).toEqual([]);
    await sb!.close();
    sb = undefined;

    const again = await open(false);
    expect(await startedBy(again.sfn)).toEqual([]);
    // Once its targets exist again (a deploy), the sandbox hands on what the last run left.
    sb!.resume();
    await new Promise((r) => setTimeout(r, 50));
    expect(await startedBy(again.sfn)).toEqual(accepted);

    // Delivered and saved: the journal has nothing left, and a third start delivers nothing more.
    await sb!.save();
    expect(await readFile(join(dir, 'events-journal.jsonl'), 'utf8')).toBe('');
    await sb!.close();
    sb = undefined;
    const third = await open(false);
    sb!.resume();
    await new Promise((r) => setTimeout(r, 50));
    expect(await startedBy(third.sfn)).toEqual([]);
  });

  it('never gives an event the id of an event an earlier run gave', async () => {
    const first = await open(true);
    const ids = async (eb: EventBridgeClient) =>
      (
        await eb.send(
          new PutEventsCommand({
            Entries: [1, 2].map((n) => ({
              Source: 'shop',
              DetailType: 'Order',
              Detail: JSON.stringify({ n }),
            })),
          }),
        )
      ).Entries?.map((e) => e.EventId!) ?? [];
    const before = await ids(first.eb);
    const busBefore = sb!.core.bus.publish('test', 'Ping', {}).id;
    await sb!.close();
    sb = undefined;
    const second = await open(false);
    const after = await ids(second.eb);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(sb!.core.bus.publish('test', 'Ping', {}).id).not.toBe(busBefore);
  });

  it('reads a journal a crash cut short in its last line, and names one damaged elsewhere', async () => {
    const file = join(dir, 'events-journal.jsonl');
    const event = (id: string) =>
      ({
        version: '0',
        id,
        'detail-type': 'Order',
        source: 'shop',
        account: ACCOUNT,
        time: '2026-01-05T09:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: {},
      }) as AwsEvent;
    const journal = new EventJournal(file);
    const [a, b] = journal.accept([event('a'), event('b')]);
    journal.done(a!);
    await appendFile(file, '{"n": 3, "event": {"vers');
    const pending = new EventJournal(file).load();
    expect(pending.map((p) => [p.n, p.event.id])).toEqual([[b, 'b']]);
    // Compacted: only what is pending is left.
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(1);

    await appendFile(file, 'garbage\n{"done": 2}\n');
    expect(() => new EventJournal(file).load()).toThrow(`${file}, line 2: not a journal entry`);
  });
});
