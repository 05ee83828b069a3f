import type { Incident, TimelineEvent } from '../timeline/event.ts';
import { compareTimeline } from '../timeline/order.ts';
import { type TypedDetail, typedDetail } from './details.ts';
import { ReportInputError } from './errors.ts';

/** One event of the normalised timeline: its instant in epoch ms and its detail parsed by kind. */
export interface Fact {
  event: TimelineEvent;
  at: number;
  typed: TypedDetail | undefined;
}

/** The timeline the report is built from, with what was dropped to get there. */
export interface NormalisedTimeline {
  /** In the timeline's order (src/timeline/order.ts): occurredAt, then the order recorded. */
  facts: Fact[];
  /** Events whose eventId had already been seen (a retried or duplicated write). */
  duplicatesDropped: number;
  /** Events repeating the previous state of the same thing (an alarm "changing" to the state it was in). */
  repeatsDropped: number;
  /** Corrected eventId → the corrections of it, oldest first. */
  corrections: Map<string, Fact[]>;
}

/**
 * Sorts, dedupes and drops same-state repeats, so that any order and any duplication of the same
 * events gives the same timeline. Events from another incident, unparseable times, details that do
 * not match their kind and corrections of unknown events are a ReportInputError.
 */
export function normaliseTimeline(incident: Incident, events: readonly TimelineEvent[]): NormalisedTimeline {
  const sorted: Fact[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.incidentId !== incident.incidentId) {
      throw new ReportInputError(
        `timeline event '${event.eventId}' belongs to incident '${event.incidentId}', not '${incident.incidentId}'`,
      );
    }
    const at = Date.parse(event.occurredAt);
    if (Number.isNaN(at)) {
      throw new ReportInputError(
        `timeline event '${event.eventId}': occurredAt '${event.occurredAt}' is not a time`,
      );
    }
    sorted[i] = { event, at, typed: undefined };
  }
  sorted.sort(byTimelineOrder);

  const seen = new Set<string>();
  const lastState = new Map<string, string>();
  const facts: Fact[] = [];
  const corrections = new Map<string, Fact[]>();
  let duplicatesDropped = 0;
  let repeatsDropped = 0;
  for (const fact of sorted) {
    const { event } = fact;
    if (seen.has(event.eventId)) {
      duplicatesDropped++;
      continue;
    }
    seen.add(event.eventId);
    fact.typed = typedDetail(event);
    const state = stateOf(fact);
    if (state) {
      const previous = lastState.get(state.thing) ?? state.assumedBefore;
      if (previous === state.now) {
        repeatsDropped++;
        continue;
      }
      lastState.set(state.thing, state.now);
    }
    facts.push(fact);
    if (event.corrects !== undefined) {
      const list = corrections.get(event.corrects);
      if (list) list.push(fact);
      else corrections.set(event.corrects, [fact]);
    }
  }
  // `seen` holds every id given (duplicates share theirs, repeats were seen before being dropped).
  checkReferences(events, seen);
  return { facts, duplicatesDropped, repeatsDropped, corrections };
}

function checkReferences(events: readonly TimelineEvent[], known: Set<string>): void {
  const unknown = events.filter((e) => e.corrects !== undefined && !known.has(e.corrects));
  if (unknown.length === 0) return;
  const named = unknown
    .slice(0, 5)
    .map((e) => `'${e.eventId}' corrects '${e.corrects}'`)
    .join(', ');
  throw new ReportInputError(
    `the timeline references events it does not contain: ${named}${unknown.length > 5 ? `, and ${unknown.length - 5} more` : ''}`,
  );
}

function byTimelineOrder(a: Fact, b: Fact): number {
  const order = compareTimeline(a, b);
  if (order !== 0) return order;
  // Only copies of one event get here: keep the first recorded, and any fixed choice among exact ties.
  const ra = Date.parse(a.event.recordedAt);
  const rb = Date.parse(b.event.recordedAt);
  if (ra !== rb) return ra - rb;
  const ja = JSON.stringify(a.event);
  const jb = JSON.stringify(b.event);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/** The thing an event reports the state of, and that state; undefined for events that are not state. */
function stateOf(fact: Fact): { thing: string; now: string; assumedBefore?: string } | undefined {
  const t = fact.typed;
  switch (t?.kind) {
    case 'alarm.state':
      return { thing: `alarm\u0000${t.detail.alarm}`, now: t.detail.to, assumedBefore: t.detail.from };
    case 'healthcheck.status':
      return { thing: `healthcheck\u0000${t.detail.healthCheckId}`, now: String(t.detail.healthy) };
    case 'fis.experiment':
      return { thing: `experiment\u0000${t.detail.experimentId}`, now: t.detail.status };
    case 'fis.action':
      return { thing: `action\u0000${t.detail.experimentId}\u0000${t.detail.action}`, now: t.detail.status };
    case 'ssm.automation':
      return { thing: `ssm\u0000${t.detail.executionId}`, now: t.detail.status };
    case 'route53.change':
      return { thing: `route53\u0000${t.detail.changeId}`, now: t.detail.status };
    default:
      return undefined;
  }
}
