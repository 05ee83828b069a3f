/**
 * CloudWatch's metric-alarm decision, as a pure function of the datapoints in the evaluation range
 * (AWS: "Using Amazon CloudWatch alarms", "How alarm state is evaluated when data is missing").
 */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export const THRESHOLD_COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type ThresholdComparison = (typeof THRESHOLD_COMPARISONS)[number];

export const MISSING_DATA_TREATMENTS = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type MissingDataTreatment = (typeof MISSING_DATA_TREATMENTS)[number];

/**
 * How many more periods than EvaluationPeriods CloudWatch looks back over when some are missing
 * (its documented example retrieves the 5 most recent datapoints for an alarm over 3 periods).
 */
export const EXTRA_RANGE_PERIODS = 2;

/** One period of the evaluation range; `value` is undefined when the period has no datapoint. */
export interface RangePoint {
  /** Start of the period, epoch milliseconds. */
  timestamp: number;
  value: number | undefined;
  sampleCount?: number;
  /** A percentile computed over too few samples to be statistically significant. */
  lowSampleCount?: boolean;
  /**
   * A period that ended before the sandbox began: nothing could be published then, so an empty
   * one is unknown rather than missing, and TreatMissingData never fills it in. (Otherwise every
   * `breaching` alarm would fire at start-up, before the world's first minute is published.)
   */
  unobserved?: boolean;
}

export interface AlarmRule {
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ThresholdComparison;
  treatMissingData: MissingDataTreatment;
  /** EvaluateLowSampleCountPercentile = ignore: keep the state while a percentile rests on few samples. */
  ignoreLowSampleCount?: boolean;
}

/** A datapoint the decision rested on: a real one, or a missing one filled in per TreatMissingData. */
export interface EvaluatedPoint {
  timestamp: number;
  value: number | undefined;
  sampleCount: number | undefined;
  breaching: boolean;
  filled: boolean;
}

export type Verdict =
  | {
      state: AlarmStateValue;
      /** The datapoints evaluated, oldest first. */
      evaluated: EvaluatedPoint[];
      /** What missing datapoints were filled in as, when any were. */
      filledAs?: 'Breaching' | 'NonBreaching';
    }
  /** Not enough data to decide and the alarm keeps its current state (TreatMissingData ignore). */
  | { state: 'retain'; evaluated: EvaluatedPoint[] };

export function breaches(value: number, comparison: ThresholdComparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/**
 * Decides an alarm's state from its evaluation range (oldest period first, EvaluationPeriods plus
 * a few more, as CloudWatch retrieves it):
 *
 * - with at least EvaluationPeriods real datapoints in the range, the most recent EvaluationPeriods
 *   of them are evaluated and TreatMissingData plays no part;
 * - otherwise every real datapoint is evaluated and the rest is filled in: `breaching` and
 *   `notBreaching` fill the missing ones as such, as few as needed to make EvaluationPeriods
 *   (never an unobserved period; with nothing to evaluate at all, the state is kept);
 *   `missing` goes to INSUFFICIENT_DATA when nothing at all is there, and `ignore` keeps the current
 *   state then; with some data, both evaluate the real datapoints alone — ALARM when DatapointsToAlarm
 *   of them breach, or when every one there breaches (AWS's table: `X - - - -` goes to ALARM), OK
 *   when any of them does not breach, and `ignore` keeps the state when the few there all breach
 *   without reaching DatapointsToAlarm.
 *
 * ALARM when at least DatapointsToAlarm evaluated datapoints breach, OK otherwise.
 */
export function evaluateAlarm(range: readonly RangePoint[], rule: AlarmRule): Verdict {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  const judge = (p: RangePoint): EvaluatedPoint => ({
    timestamp: p.timestamp,
    value: p.value,
    sampleCount: p.sampleCount,
    breaching: p.value !== undefined && breaches(p.value, rule.comparison, rule.threshold),
    filled: false,
  });
  const present = range.filter((p) => p.value !== undefined);
  const real = present.slice(-n).map(judge);
  if (rule.ignoreLowSampleCount && present.slice(-n).some((p) => p.lowSampleCount)) {
    return { state: 'retain', evaluated: real };
  }
  const breachingReal = real.filter((p) => p.breaching).length;
  if (present.length >= n) return { state: breachingReal >= m ? 'ALARM' : 'OK', evaluated: real };

  switch (rule.treatMissingData) {
    case 'breaching':
    case 'notBreaching': {
      const asBreaching = rule.treatMissingData === 'breaching';
      const fills = newestMissing(range, n - present.length).map(
        (p): EvaluatedPoint => ({
          timestamp: p.timestamp,
          value: undefined,
          sampleCount: undefined,
          breaching: asBreaching,
          filled: true,
        }),
      );
      const evaluated = [...real, ...fills].sort((a, b) => a.timestamp - b.timestamp);
      if (evaluated.length === 0) return { state: 'retain', evaluated };
      const breaching = evaluated.filter((p) => p.breaching).length;
      return {
        state: breaching >= m ? 'ALARM' : 'OK',
        evaluated,
        filledAs: asBreaching ? 'Breaching' : 'NonBreaching',
      };
    }
    case 'missing':
    case 'ignore': {
      if (real.length === 0) {
        return rule.treatMissingData === 'missing'
          ? { state: 'INSUFFICIENT_DATA', evaluated: [] }
          : { state: 'retain', evaluated: [] };
      }
      if (breachingReal >= m) return { state: 'ALARM', evaluated: real };
      if (breachingReal < real.length) return { state: 'OK', evaluated: real };
      return rule.treatMissingData === 'missing'
        ? { state: 'ALARM', evaluated: real }
        : { state: 'retain', evaluated: real };
    }
  }
}

/** The `count` most recent periods of the range that have no datapoint (unobserved ones aside). */
function newestMissing(range: readonly RangePoint[], count: number): RangePoint[] {
  const missing = range.filter((p) => p.value === undefined && !p.unobserved);
  return count > 0 ? missing.slice(-count) : [];
}
