import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { ExperimentSpec } from '../experiments/schema.ts';
import { alarmTransitions } from '../observe/alarms.ts';
import { resolveHealthChecks } from '../observe/health-checks.ts';
import {
  lastCompleteMinute,
  type MetricRef,
  MINUTE_MS,
  minuteOf,
  readMinutes,
} from '../observe/metric-query.ts';
import {
  describeSample,
  hasData,
  sampleAt,
  sampleMetricsOf,
  sampleQueries,
} from '../observe/sample-metrics.ts';
import { eventIds, type GameDayTimeline } from './record.ts';
import type { GameDayState, WatchState } from './state.ts';

/** Alarm history is read again from this long before the last read: an item stamped at the instant of a read may land just after it. */
const HISTORY_OVERLAP_MS = 60_000;
/** A minute with no data yet is waited for this long (CloudWatch's own metrics arrive a few minutes late). */
const LATE_DATA_MS = 5 * MINUTE_MS;
/** At most this many minutes are sampled in one go (a long gap is caught up over several observations). */
const MAX_MINUTES_PER_WATCH = 120;

/** The watch state the previous step handed on (the latest of verification, observation, preflight). */
export function previousWatch(state: GameDayState): WatchState | undefined {
  return state.recovery?.watch ?? state.observation?.watch ?? state.preflight?.watch;
}

/** The alarms a game day watches: its hypothesis's and its stop conditions. */
export function watchedAlarms(spec: ExperimentSpec): string[] {
  return [...new Set([...spec.hypothesis.alarms, ...spec.stopConditions])];
}

/** The start of the last minute a watch `until` that instant must sample: the minute just before it ends. */
export function lastMinuteBefore(until: Date): number {
  return minuteOf(until.getTime() - 1);
}

/** Whether a watch has sampled every minute up to `until` (its last one included). */
export function sampledUntil(watch: WatchState, until: Date): boolean {
  return watch.sampledThrough !== undefined && Date.parse(watch.sampledThrough) >= lastMinuteBefore(until);
}

/**
 * Records what happened in the world since the last watch: each alarm transition (from the alarm
 * history), and for each minute that has ended, one metrics sample and any change of health-check
 * status (from Route 53's HealthCheckStatus metric). Everything is keyed by when it happened, so
 * reading the same stretch twice stores nothing twice. With `until`, nothing after that instant is
 * read (the game day's end: the minutes up to it arrive after it). Returns the state for the next
 * watch.
 */
export async function watchWorld(
  aws: { cloudwatch: CloudWatchClient; route53: Route53Client },
  timeline: GameDayTimeline,
  spec: ExperimentSpec,
  previous: WatchState | undefined,
  opts: { since: Date; now: Date; until?: Date },
): Promise<WatchState> {
  const { now } = opts;
  const horizon = opts.until && opts.until < now ? opts.until : now;
  const historyFrom = previous?.historyThrough
    ? new Date(Date.parse(previous.historyThrough) - HISTORY_OVERLAP_MS)
    : opts.since;
  for (const t of await alarmTransitions(aws.cloudwatch, watchedAlarms(spec), historyFrom, horizon)) {
    await timeline.record('alarm.state', {
      eventId: eventIds.alarm(t.alarm, t.at),
      occurredAt: t.at,
      summary: `${t.alarm}: ${t.from} → ${t.to}`,
      detail: { alarm: t.alarm, from: t.from, to: t.to, reason: t.reason },
    });
  }

  const healthChecks = { ...(previous?.healthChecks ?? {}) };
  const unresolved = spec.hypothesis.healthChecks.filter((ref) => !healthChecks[ref]);
  if (unresolved.length > 0) {
    for (const [ref, id] of await resolveHealthChecks(aws.route53, unresolved)) {
      // Steady state held before the fault, so a check first seen now starts out healthy.
      if (id) healthChecks[ref] = { id, healthy: true };
    }
  }

  const last = Math.min(lastCompleteMinute(now), opts.until ? lastMinuteBefore(opts.until) : Infinity);
  let first = previous?.sampledThrough
    ? Date.parse(previous.sampledThrough) + MINUTE_MS
    : minuteOf(opts.since);
  first = Math.max(first, last - (MAX_MINUTES_PER_WATCH - 1) * MINUTE_MS);
  let sampledThrough = previous?.sampledThrough;
  if (first <= last) {
    const metrics = sampleMetricsOf(spec);
    const queries: Record<string, MetricRef> = sampleQueries(metrics);
    for (const { id } of Object.values(healthChecks)) {
      queries[`healthCheck:${id}`] = {
        namespace: 'AWS/Route53',
        metric: 'HealthCheckStatus',
        dimensions: { HealthCheckId: id },
        statistic: 'Minimum',
      };
    }
    const series = await readMinutes(aws.cloudwatch, queries, first, last + MINUTE_MS);
    for (let minute = first; minute <= last; minute += MINUTE_MS) {
      const sample = sampleAt(metrics, series, minute);
      if (!hasData(sample) && minute + MINUTE_MS > now.getTime() - LATE_DATA_MS) break;
      const at = new Date(minute);
      await timeline.record('metrics.sample', {
        eventId: eventIds.metrics(at),
        occurredAt: at,
        summary: describeSample(sample),
        detail: sample,
      });
      for (const [ref, hc] of Object.entries(healthChecks)) {
        const v = series[`healthCheck:${hc.id}`]?.get(minute);
        if (v === undefined || v >= 1 === hc.healthy) continue;
        const healthy = v >= 1;
        healthChecks[ref] = { id: hc.id, healthy, since: at.toISOString() };
        await timeline.record('healthcheck.status', {
          eventId: eventIds.healthCheck(hc.id, at),
          occurredAt: at,
          summary: `health check ${ref} became ${healthy ? 'healthy' : 'unhealthy'}`,
          detail: { healthCheckId: hc.id, ...(ref !== hc.id ? { name: ref } : {}), healthy },
        });
      }
      sampledThrough = at.toISOString();
    }
  }
  return {
    historyThrough: horizon.toISOString(),
    healthChecks,
    ...(sampledThrough ? { sampledThrough } : {}),
  };
}
