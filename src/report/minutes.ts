import { isBookkeeping } from '../timeline/bookkeeping.ts';
import { MINUTE, minuteOf, type Sample } from './samples.ts';
import type { Fact } from './timeline.ts';

/** One row of the minute-by-minute view: a minute, or a run of quiet minutes folded together. */
export interface MinuteRow {
  /** Start of the first minute (epoch ms). */
  from: number;
  /** Start of the last minute (epoch ms); equals `from` for a single minute. */
  to: number;
  minutes: number;
  /** The minute's metric sample (the run's first, for a folded run); null when none was taken. */
  sample: Sample | null;
  /**
   * The minute's events other than the metric sample, in timeline order (none in a folded run);
   * without the orchestration's bookkeeping (src/timeline/bookkeeping.ts) unless asked for.
   */
  facts: Fact[];
  /** More than one quiet minute: no events, metrics within tolerance of the run's first minute. */
  folded: boolean;
}

/**
 * What "nothing changed" tolerates between minutes of a quiet run (compared with the run's first
 * minute, so a slow drift still breaks the run): traffic noise is not news, a lost host is.
 */
export const QUIET_TOLERANCE = {
  requestRateRelative: 0.05,
  errorRatePoints: 0.5,
  p99Relative: 0.1,
  p99AbsoluteMs: 20,
  replicaLagRelative: 0.25,
  replicaLagAbsoluteMs: 100,
} as const;

function near(a: number | null, b: number | null, relative: number, absolute = 0): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= Math.max(absolute, Math.abs(a) * relative);
}

/**
 * `near` for a statistic that a minute can lack while nothing changed (a p99 or a replica lag with
 * no datapoint that minute, as in an outage where few requests complete): a missing value is not
 * news, or such a run would never fold.
 */
function nearWhenBoth(a: number | null, b: number | null, relative: number, absolute: number): boolean {
  return a === null || b === null || near(a, b, relative, absolute);
}

function sameHosts(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] === a[k]);
}

export function steadyAgainst(base: Sample | null, s: Sample | null): boolean {
  if (base === null || s === null) return base === s;
  const t = QUIET_TOLERANCE;
  return (
    near(base.requestRate, s.requestRate, t.requestRateRelative) &&
    near(base.errorRatePercent, s.errorRatePercent, 0, t.errorRatePoints) &&
    nearWhenBoth(base.p99LatencyMs, s.p99LatencyMs, t.p99Relative, t.p99AbsoluteMs) &&
    nearWhenBoth(base.replicaLagMs, s.replicaLagMs, t.replicaLagRelative, t.replicaLagAbsoluteMs) &&
    sameHosts(base.healthyHostsByAz, s.healthyHostsByAz)
  );
}

interface Bucket {
  minute: number;
  sample: Sample | null;
  facts: Fact[];
}

function buckets(facts: readonly Fact[], steps: boolean): Bucket[] {
  const out: Bucket[] = [];
  let current: Bucket | undefined;
  for (const f of facts) {
    const minute = minuteOf(f.at);
    if (!current || current.minute !== minute) {
      current = { minute, sample: null, facts: [] };
      out.push(current);
    }
    if (f.typed?.kind === 'metrics.sample') current.sample = f.typed.detail;
    // A minute whose only events are bookkeeping is a quiet one, and folds like one.
    else if (steps || !isBookkeeping(f.event)) current.facts.push(f);
  }
  return out;
}

/**
 * One row per minute from the first event's minute to the last's, with runs of quiet minutes
 * folded into one. `steps` keeps the orchestration's bookkeeping in the rows (`faultline timeline
 * --steps`). Linear in the number of events (empty stretches are folded without visiting each
 * minute).
 */
export function minuteRows(facts: readonly Fact[], options: { steps?: boolean } = {}): MinuteRow[] {
  const rows: MinuteRow[] = [];
  let run: MinuteRow | undefined;
  const quiet = (from: number, count: number, sample: Sample | null) => {
    if (run && steadyAgainst(run.sample, sample)) {
      run.to = from + (count - 1) * MINUTE;
      run.minutes += count;
      run.folded = true;
      return;
    }
    run = { from, to: from + (count - 1) * MINUTE, minutes: count, sample, facts: [], folded: count > 1 };
    rows.push(run);
  };
  let previous: number | undefined;
  for (const b of buckets(facts, options.steps ?? false)) {
    if (previous !== undefined && b.minute - previous > MINUTE) {
      quiet(previous + MINUTE, (b.minute - previous) / MINUTE - 1, null);
    }
    previous = b.minute;
    if (b.facts.length === 0) {
      quiet(b.minute, 1, b.sample);
    } else {
      run = undefined;
      rows.push({
        from: b.minute,
        to: b.minute,
        minutes: 1,
        sample: b.sample,
        facts: b.facts,
        folded: false,
      });
    }
  }
  return rows;
}
