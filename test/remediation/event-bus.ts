import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach } from 'vitest';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import type { AwsEvent } from '../../sandbox/events.ts';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import { deps } from './flow-stack.ts';

/** Remediation fed through the sandbox's EventBridge, as production feeds it: helpers for the load tests. */

/**
 * For a test file: the project deployed in a sandbox with its EventBridge rules live, on virtual
 * time played as fast as possible, and an EventBridge client to send it events; each test's stack
 * is closed (and FAULTLINE_RUNBOOKS restored) after it.
 */
export function eventBridgeStacks(): { start: () => Promise<LocalStack>; events: () => EventBridgeClient } {
  let current:
    | { stack: LocalStack; events: EventBridgeClient; savedRunbooks: string | undefined }
    | undefined;
  afterEach(async () => {
    if (!current) return;
    current.events.destroy();
    await current.stack.close();
    process.env.FAULTLINE_RUNBOOKS = current.savedRunbooks;
    current = undefined;
  });
  return {
    start: async () => {
      const savedRunbooks = process.env.FAULTLINE_RUNBOOKS;
      current = {
        stack: await startLocal({ seed: 5, start: DEFAULT_EPOCH, time: 'fast' }),
        events: new EventBridgeClient({}),
        savedRunbooks,
      };
      return current.stack;
    },
    events: () => {
      if (!current) throw new Error('start() the stack first');
      return current.events;
    },
  };
}

/** The entry that sends `event` again through PutEvents (EventBridge gives each entry a new id). */
export function entryOf(event: {
  source: string;
  'detail-type': string;
  detail: unknown;
  resources: string[];
}) {
  return {
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail),
    Resources: event.resources,
  } satisfies PutEventsRequestEntry;
}

/** Sends the entries, ten per PutEvents call (the API's limit), all calls at once; the events' ids. */
export async function putAll(events: EventBridgeClient, entries: PutEventsRequestEntry[]): Promise<string[]> {
  const calls: Promise<string[]>[] = [];
  for (let i = 0; i < entries.length; i += 10) {
    calls.push(
      events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) })).then((out) => {
        if (out.FailedEntryCount)
          throw new Error(`PutEvents refused entries: ${JSON.stringify(out.Entries)}`);
        return (out.Entries ?? []).map((e) => e.EventId!);
      }),
    );
  }
  return (await Promise.all(calls)).flat();
}

export interface Ended {
  name: string;
  status: string;
}

/**
 * The remediation executions of these events as they end (EventBridge names executions at random:
 * they are known by their input). Other remediations, e.g. of a scheduled game day, are not counted.
 */
export class Endings {
  private readonly ended = new Map<string, Ended>();
  private readonly off: () => void;
  private waiting: { ids: Set<string>; resolve: (runs: Ended[]) => void } | undefined;

  constructor(s: LocalStack) {
    const arn = s.deployment.stateMachines.remediation;
    this.off = s.sandbox.core.bus.subscribe((e: AwsEvent) => {
      if (e['detail-type'] !== 'Step Functions Execution Status Change') return;
      const d = e.detail as { stateMachineArn?: string; status?: string; name?: string; input?: string };
      if (d.stateMachineArn !== arn || d.status === 'RUNNING') return;
      const eventId = (JSON.parse(d.input ?? '{}') as { id?: string }).id ?? '';
      this.ended.set(eventId, { name: d.name ?? '', status: d.status ?? '' });
      this.check();
    });
  }

  /** Resolves once the executions started by each of these events have ended. */
  of(eventIds: readonly string[]): Promise<Ended[]> {
    return new Promise((resolve) => {
      this.waiting = { ids: new Set(eventIds), resolve };
      this.check();
    });
  }

  private check() {
    const w = this.waiting;
    if (!w || ![...w.ids].every((id) => this.ended.has(id))) return;
    this.waiting = undefined;
    this.off();
    w.resolve([...w.ids].map((id) => this.ended.get(id)!));
  }
}

/** Every event on every remediation timeline, by remediation id (the execution's name). */
export async function eventsByRemediation(s: LocalStack): Promise<Map<string, TimelineEvent[]>> {
  const d = deps(s);
  const out = new Map<string, TimelineEvent[]>();
  let cursor: string | undefined;
  do {
    const page = await d.store.listIncidents({ cursor, limit: 1000 });
    for (const incident of page.incidents) {
      for (const e of await d.store.all(incident.incidentId)) {
        const id = e.detail.remediationId;
        if (typeof id !== 'string') continue;
        out.set(id, [...(out.get(id) ?? []), e]);
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}
