import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { NewTimelineEvent } from '../../src/timeline/event.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { serverlessTable } from '../helpers/tables.ts';

/** The timeline table as serverless.yml declares it (its byTime index included), in a sandbox's DynamoDB. */
describe('the timeline store keeps the order things were recorded in', () => {
  let sb: Sandbox;
  let db: DynamoDBDocumentClient;
  let table: string;
  const at = '2026-01-05T09:00:00.000Z';

  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    ({ db, table } = await serverlessTable(started.config, 'TimelineTable', 'timeline-order'));
  });
  afterAll(async () => {
    await sb?.close();
  });

  const note = (eventId: string, occurredAt = at): NewTimelineEvent => ({
    eventId,
    occurredAt,
    source: 'person',
    kind: 'note',
    summary: eventId,
    detail: { author: 'a', text: eventId },
  });

  it('numbers the events of one instant as they are written, not by their ids', async () => {
    const store = new TimelineStore(db, table);
    for (const id of ['step:OpenIncident:started:1', 'fis:experiment:E:pending', 'notification:m', 'a'])
      await store.append('inc-seq', note(id));
    const events = await store.all('inc-seq');
    expect(events.map((e) => e.eventId)).toEqual([
      'step:OpenIncident:started:1',
      'fis:experiment:E:pending',
      'notification:m',
      'a',
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('puts a fact recorded late at its own time, and a rewrite of an event keeps its first place', async () => {
    const store = new TimelineStore(db, table);
    await store.append('inc-late', note('second', '2026-01-05T09:00:05.000Z'));
    await store.append('inc-late', note('first', '2026-01-05T09:00:01Z'));
    expect(await store.append('inc-late', note('second', '2026-01-05T09:00:05.000Z'))).toBe(false);
    await store.append('inc-late', note('third', '2026-01-05T09:00:05.000Z'));
    const events = await store.all('inc-late');
    expect(events.map((e) => [e.eventId, e.seq])).toEqual([
      ['first', 2],
      ['second', 1],
      ['third', 4],
    ]);
  });

  it('gives concurrent writers on one incident distinct numbers, and reads back in that order page by page', async () => {
    const store = new TimelineStore(db, table);
    await Promise.all(Array.from({ length: 60 }, (_, i) => store.append('inc-busy', note(`e${i}`))));
    const events = await store.all('inc-busy');
    const seqs = events.map((e) => e.seq!);
    expect(new Set(seqs).size).toBe(60);
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await store.page('inc-busy', { limit: 7, cursor });
      paged.push(...p.events.map((e) => e.eventId));
      cursor = p.cursor;
    } while (cursor);
    expect(paged).toEqual(events.map((e) => e.eventId));
  });

  it("puts the monitoring's report of an instant before what automation did in it", async () => {
    const store = new TimelineStore(db, table);
    await store.append('inc-alarm', note('remediation:r:1:triage', '2026-01-05T09:03:05.000Z'));
    await store.append('inc-alarm', {
      eventId: 'alarm:checkout-unhealthy-hosts:2026-01-05T09:03:05.000Z',
      occurredAt: '2026-01-05T09:03:05.000Z',
      source: 'cloudwatch',
      kind: 'alarm.state',
      summary: 'checkout-unhealthy-hosts: OK → ALARM',
      detail: { alarm: 'checkout-unhealthy-hosts', from: 'OK', to: 'ALARM', reason: 'r' },
    });
    expect((await store.all('inc-alarm')).map((e) => e.kind)).toEqual(['alarm.state', 'note']);
  });
});
