import type { AlarmStateValue, EvaluatedPoint, ThresholdComparison } from './alarm-evaluation.ts';

/**
 * The StateReason and StateReasonData texts CloudWatch writes when an alarm changes state, in its
 * own wording ("Threshold Crossed: 2 out of the last 2 datapoints [3.0 (05/01/26 09:12:00), …] were
 * greater than the threshold (0.0) (minimum 2 datapoints for OK -> ALARM transition).").
 */

const COMPARISON_WORDS: Record<ThresholdComparison, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/** A number as CloudWatch (a Java service) prints doubles: `3.0`, `0.25`, `1.0E-4`, `1.5E7`. */
export function javaDouble(n: number): string {
  if (n === 0) return '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(n) ? `${n}.0` : String(n);
  const [mantissa, exponent] = n.toExponential().split('e');
  const m = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/** `dd/MM/yy HH:mm:ss` in UTC, the datapoint timestamps of a StateReason. */
export function reasonTime(ms: number): string {
  const d = new Date(ms);
  const two = (v: number) => String(v).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}

/** `2026-01-05T09:12:00.000+0000`, the timestamp format of StateReasonData and alarm events. */
export function cloudWatchIso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface ReasonContext {
  comparison: ThresholdComparison;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  from: AlarmStateValue;
  to: 'OK' | 'ALARM';
  evaluated: EvaluatedPoint[];
  filledAs?: 'Breaching' | 'NonBreaching';
}

/** The StateReason of a threshold-crossing transition to ALARM or to OK. */
export function thresholdCrossedReason(c: ReasonContext): string {
  const real = c.evaluated.filter((p) => !p.filled);
  const filled = c.evaluated.length - real.length;
  const filledText = `${plural(filled, 'missing datapoint')} ${filled === 1 ? 'was' : 'were'} treated as [${c.filledAs}]`;
  if (real.length === 0) {
    return `Threshold Crossed: no datapoints were received for ${plural(filled, 'period')} and ${filledText}.`;
  }
  const toAlarm = c.to === 'ALARM';
  const counted = real.filter((p) => p.breaching === toAlarm).reverse();
  const list = counted.map((p) => `${javaDouble(p.value!)} (${reasonTime(p.timestamp)})`).join(', ');
  const verb = counted.length === 1 ? 'was' : 'were';
  const relation = `${toAlarm ? '' : 'not '}${COMPARISON_WORDS[c.comparison]} the threshold (${javaDouble(c.threshold)})`;
  if (c.evaluationPeriods === 1 && filled === 0) {
    return `Threshold Crossed: 1 datapoint [${list}] ${verb} ${relation}.`;
  }
  const minimum = toAlarm ? c.datapointsToAlarm : c.evaluationPeriods - c.datapointsToAlarm + 1;
  return (
    `Threshold Crossed: ${counted.length} out of the last ${real.length} datapoints [${list}] ${verb} ${relation}` +
    (filled > 0 ? `, and ${filledText}` : '') +
    ` (minimum ${plural(minimum, 'datapoint')} for ${c.from} -> ${c.to} transition).`
  );
}

export function insufficientDataReason(evaluationPeriods: number): string {
  return `Insufficient Data: ${plural(evaluationPeriods, 'datapoint')} ${evaluationPeriods === 1 ? 'was' : 'were'} unknown.`;
}

export interface ReasonDataContext {
  now: number;
  /** `statistic` for Statistic alarms, `extendedStatistic` for percentiles. */
  statKey: 'statistic' | 'extendedStatistic';
  statName: string;
  unit?: string | undefined;
  periodSeconds: number;
  threshold: number;
  evaluated: EvaluatedPoint[];
}

/** The StateReasonData JSON CloudWatch attaches to an evaluated transition. */
export function reasonData(c: ReasonDataContext): string {
  const newestFirst = [...c.evaluated].reverse();
  const data: Record<string, unknown> = {
    version: '1.0',
    queryDate: cloudWatchIso(c.now),
  };
  if (c.evaluated.length > 0) data.startDate = cloudWatchIso(c.evaluated[0]!.timestamp);
  data[c.statKey] = c.statName;
  if (c.unit) data.unit = c.unit;
  data.period = c.periodSeconds;
  data.recentDatapoints = c.evaluated.filter((p) => !p.filled).map((p) => p.value);
  data.threshold = c.threshold;
  data.evaluatedDatapoints = newestFirst.map((p) =>
    p.filled
      ? { timestamp: cloudWatchIso(p.timestamp) }
      : { timestamp: cloudWatchIso(p.timestamp), sampleCount: p.sampleCount, value: p.value },
  );
  return JSON.stringify(data);
}
