/**
 * The order of an incident's timeline: one rule, which the store's index, the timeline view, the
 * report and report.json all follow.
 *
 * 1. When it happened: `occurredAt`, to the millisecond.
 * 2. Within one millisecond, first what the service's monitoring reported (alarm transitions,
 *    health-check changes, metric minutes), then everything else. Nothing done at an instant
 *    changes what the monitoring reported at that same instant (an alarm moves only when it
 *    evaluates a period's metrics), while automation at that instant may be reacting to it: a
 *    remediation acts in the millisecond its alarm fires, an alarm set as a stop condition stops
 *    the experiment in the millisecond it fires.
 * 3. Then the order in which they were recorded: `seq`, the incident's own counter, which the
 *    store hands out atomically as it writes each event (src/timeline/store.ts), so it holds with
 *    several writers at once. Work takes no virtual time in the sandbox, so a step's `started`,
 *    what it did and its `succeeded` share a millisecond; only the counter says which came first.
 *
 * A fact recorded late keeps its own `occurredAt` (a FIS state change an Observe reads a minute
 * after it happened, the targets FIS resolved when the experiment started, an SSM execution's end)
 * and takes its place in time; among the events of its millisecond (rule 2 aside) it comes after
 * those recorded before it: after the step whose call caused it (StartExperiment, StopExperiment),
 * which is where an effect belongs. One writer recording several facts of one instant records them
 * in the order they happened (an experiment's start before its actions', its actions' ends before
 * its own).
 *
 * Events written before faultline numbered them (no `seq`) come after numbered ones of their
 * millisecond and class, by id: the only order they ever had.
 */
export interface Ordered {
  eventId: string;
  kind: string;
  seq?: number | undefined;
}

/** Kinds that report what the service's monitoring saw (rule 2). */
const MONITORING_KINDS: ReadonlySet<string> = new Set([
  'alarm.state',
  'healthcheck.status',
  'metrics.sample',
]);

const classOf = (e: Ordered) => (MONITORING_KINDS.has(e.kind) ? 0 : 1);

/** Digits of `seq` in the store's sort key: string order must be number order. */
const SEQ_DIGITS = 12;

/**
 * The store's sort key of an event (its `byTime` index): `<instant>#<class>#<seq>`, the instant
 * normalised to `toISOString` so that `…:00Z` and `…:00.000Z` sort as one.
 */
export function timelineSortKey(event: Ordered & { occurredAt: string; seq: number }): string {
  const instant = new Date(event.occurredAt).toISOString();
  return `${instant}#${classOf(event)}#${String(event.seq).padStart(SEQ_DIGITS, '0')}`;
}

/** Compares two events of one timeline by the rule above; `at` is their `occurredAt` in epoch ms. */
export function compareTimeline(
  a: { at: number; event: Ordered },
  b: { at: number; event: Ordered },
): number {
  if (a.at !== b.at) return a.at - b.at;
  const ca = classOf(a.event);
  const cb = classOf(b.event);
  if (ca !== cb) return ca - cb;
  const sa = a.event.seq ?? Number.POSITIVE_INFINITY;
  const sb = b.event.seq ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (a.event.eventId !== b.event.eventId) return a.event.eventId < b.event.eventId ? -1 : 1;
  return 0;
}
