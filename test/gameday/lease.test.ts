import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListExperimentsCommand } from '@aws-sdk/client-fis';
import { afterEach, describe, expect, it } from 'vitest';
import { runGameDay } from '../../cli/actions/gameday.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { LEASE_MS, releaseLease, takeLease } from '../../src/gameday/lease.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { MINUTE, startGameDayStack } from './stack.ts';

const quiet = { out: () => {}, err: () => {} };

describe('one game day at a time per service', () => {
  let stack: LocalStack | undefined;
  let out: string | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('two game days started together on checkout: one injects, the other is refused before it does', async () => {
    out = await mkdtemp(join(tmpdir(), 'faultline-lease-'));
    const [azOutage, instanceKill] = await Promise.all(
      ['az-outage', 'instance-kill'].map((n) =>
        loadExperimentFile(join(PROJECT_DIR, 'experiments', `${n}.yaml`)),
      ),
    );
    stack = await startLocal({ seed: 2, start: DEFAULT_EPOCH, time: 'fast' });
    const flags = { dryRun: false, out, json: true, stage: 'dev' };
    const runs = await Promise.all([
      runGameDay(azOutage!, flags, stack, quiet),
      runGameDay(instanceKill!, flags, stack, quiet),
    ]);

    expect(runs.map((r) => r.status).sort()).toEqual(['completed', 'refused']);
    const { experiments } = await client('fis').send(new ListExperimentsCommand({}));
    expect(experiments).toHaveLength(1);
    expect(runs.find((r) => r.status === 'completed')!.experiment.id).toBe(experiments![0]!.id);
    // Both passed FIS's "nothing else running" at the same moment: the lease is what refused one.
    const refused = runs.find((r) => r.status === 'refused')!;
    const store = new TimelineStore(client('dynamodb'), process.env.FAULTLINE_TIMELINE_TABLE!);
    const incident = await store.getIncident(refused.incidentId);
    expect(incident.attributes?.refusedBecause).toEqual([
      expect.stringMatching(
        /: game day (az-outage|instance-kill)-\S+ holds the lease on checkout: one game day at a time per service$/,
      ),
    ]);

    // The winner gave the lease back when it ended: the next game day on checkout may run.
    const next = await runGameDay(instanceKill!, flags, stack, quiet);
    expect(next.status).toBe('completed');
  }, 240_000);

  it('is a conditional write: refused while held, renewed by its holder, taken over once it expired', async () => {
    const { stack: s, deps, close } = await startGameDayStack();
    try {
      const store = deps.safety;
      expect(await takeLease(store, 'checkout', 'gd-a')).toEqual({ held: true });
      expect(await takeLease(store, 'checkout', 'gd-b')).toEqual({ held: false, holder: 'gd-a' });
      // Another service is another lease.
      expect(await takeLease(store, 'payments', 'gd-b')).toEqual({ held: true });
      // The holder renews it every minute; nobody else gets it meanwhile.
      for (let minute = 0; minute < 15; minute++) {
        await s.clock.advance(MINUTE);
        expect(await takeLease(store, 'checkout', 'gd-a')).toEqual({ held: true });
        expect((await takeLease(store, 'checkout', 'gd-b')).held).toBe(false);
      }
      // The holder dies without releasing it: once it has expired, another game day takes it over.
      await s.clock.advance(LEASE_MS - MINUTE);
      expect((await takeLease(store, 'checkout', 'gd-b')).held).toBe(false);
      await s.clock.advance(MINUTE);
      expect(await takeLease(store, 'checkout', 'gd-b')).toEqual({ held: true });
      // The dead holder's release does not free what is no longer its lease.
      await releaseLease(store, 'checkout', 'gd-a');
      expect((await takeLease(store, 'checkout', 'gd-c')).held).toBe(false);
      await releaseLease(store, 'checkout', 'gd-b');
      expect(await takeLease(store, 'checkout', 'gd-c')).toEqual({ held: true });
    } finally {
      await close();
    }
  }, 120_000);
});
