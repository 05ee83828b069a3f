import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { catchUp } from '../../src/scorecard/catch-up.ts';
import { previousRun } from '../../src/scorecard/previous.ts';
import { readScorecard } from '../../src/scorecard/read.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { serverlessTable } from '../helpers/tables.ts';
import { instanceKillIncident, instanceKillTimeline } from '../report/fixtures.ts';
import { dayAt, run } from './fixtures.ts';

const at = dayAt;

/** The game days' records in the timeline table as serverless.yml declares it, in a sandbox's DynamoDB. */
describe("a service's game days, read with queries", () => {
  let sb: Sandbox;
  let db: DynamoDBDocumentClient;
  let table: string;

  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    ({ db, table } = await serverlessTable(started.config, 'TimelineTable', 'timeline-runs'));
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('finds the previous counted run of the experiment, passing over dry runs, other experiments and itself', async () => {
    const store = new TimelineStore(db, table);
    await store.runs.record(run(0, { passed: false, reasons: ['RTO missed'] }));
    await store.runs.record(run(1));
    await store.runs.record(
      run(2, { kind: 'dry-run', passed: null, reasons: ['dry run: nothing was injected'] }),
    );
    await store.runs.record(run(2.5, { experiment: 'az-outage' }));
    await store.runs.record(run(3));
    await store.runs.record(run(0, { service: 'cart', incidentId: 'gd-cart-0' }));

    const current = instanceKillIncident({ incidentId: 'gd-3', openedAt: at(3) });
    expect((await previousRun(store.runs, current))?.incidentId).toBe('gd-1');
    expect(
      (await store.runs.latestOf('checkout', 'instance-kill', { openedAt: at(1), incidentId: 'gd-1' }))
        ?.incidentId,
    ).toBe('gd-0');
    expect(
      await store.runs.latestOf('checkout', 'instance-kill', { openedAt: at(0), incidentId: 'gd-0' }),
    ).toBeUndefined();
    expect(await previousRun(store.runs, instanceKillIncident({ kind: 'remediation' }))).toBeUndefined();

    const { runs } = await store.runs.between('checkout', at(1), at(2.5));
    expect(runs.map((r) => r.incidentId)).toEqual(['gd-1', 'gd-2', 'gd-2.5']);
    expect((await store.runs.newest('checkout'))?.incidentId).toBe('gd-3');
    expect(await store.runs.services()).toEqual(['cart', 'checkout']);

    const card = await readScorecard(store, 'checkout', {
      // The sandbox's clock reads the real time: a window back to the fixtures' days.
      days: 3650,
      declared: [{ name: 'region-failover', service: 'checkout', schedule: null }],
    });
    expect(card.score).toMatchObject({ counted: 4, passed: 3 });
    expect(card.counts.dryRuns).toBe(1);
    expect(card.notRehearsed.map((n) => [n.experiment, n.last])).toEqual([['region-failover', null]]);
  });

  it('records the game days reported before records existed, once, and later ones only when new', async () => {
    const store = new TimelineStore(db, table);
    const reported = instanceKillIncident({ incidentId: 'gd-old-1', openedAt: at(-5) });
    await store.openIncident(reported);
    for (const e of instanceKillTimeline()) {
      const { incidentId: _i, seq: _s, ...event } = e;
      await store.append('gd-old-1', event);
    }
    await store.updateIncident('gd-old-1', { attributes: { verdict: 'passed' } });
    await store.openIncident(instanceKillIncident({ incidentId: 'gd-unreported', openedAt: at(-4) }));

    const first = await catchUp(store);
    expect(first.recorded).toBe(1);
    expect(first.unreadable).toEqual([]);
    const recorded = await store.runs.latestOf('checkout', 'instance-kill', {
      openedAt: at(-4),
      incidentId: 'x',
    });
    expect(recorded).toMatchObject({ incidentId: 'gd-old-1', kind: 'gameday', rto: { met: true } });
    expect((await catchUp(store)).recorded).toBe(0);
  });
});
