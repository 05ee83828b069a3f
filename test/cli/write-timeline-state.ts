// Writes incidents and their timelines (JSON on stdin, StoredIncident[]) into the sandbox state
// folder given as the argument, through the TimelineStore, as the game-day steps would.

import { text } from 'node:stream/consumers';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { renderReport } from '../../src/report/index.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import type { StoredIncident } from './timeline-state.ts';

const incidents = JSON.parse(await text(process.stdin)) as StoredIncident[];
const stack = await startLocal({ stateDir: process.argv[2]!, start: DEFAULT_EPOCH, time: 'manual' });
try {
  const store = new TimelineStore(client('dynamodb'), process.env.FAULTLINE_TIMELINE_TABLE!);
  for (const { incident, events, withVerdict } of incidents) {
    // Twice, as a retried OpenIncident would: still one incident, listed once.
    await store.openIncident(incident);
    await store.openIncident(incident);
    for (const { incidentId: _id, ...event } of events) await store.append(incident.incidentId, event);
    if (withVerdict) {
      const { verdict } = renderReport(incident, events);
      await store.updateIncident(incident.incidentId, { attributes: { verdict } });
    }
  }
} finally {
  await stack.close();
}
