import type { Incident } from '../timeline/event.ts';
import type { ReportFacts } from './attributes.ts';
import { type RtoResult, rtoStartWords } from './objectives.ts';
import { boundReader, type MetricBound, minuteOf, outsideBound, type TimedSample } from './samples.ts';
import { type SubjectHistory, stateBefore } from './steady-state.ts';

export type HypothesisVerdict = 'held' | 'deviated' | 'untested';

export interface HypothesisCheck {
  subject: string;
  kind: 'alarm' | 'healthCheck' | 'metric' | 'recovery';
  phase: 'before' | 'during' | 'after';
  /** null: could not be evaluated from the timeline (said why in detail). */
  held: boolean | null;
  detail: string;
}

export interface HypothesisResult {
  verdict: HypothesisVerdict;
  definition: string;
  /** The failed checks' details (why it deviated); empty when it held. */
  reasons: string[];
  checks: HypothesisCheck[];
}

export const HYPOTHESIS_DEFINITION =
  'Held when (before) every steady-state alarm was OK and every health check healthy when impact started, ' +
  "(during) every minute's sample kept every hypothesis metric bound from impact start to the end of the timeline, " +
  'and (after) the steady state was back within the RTO once the fault ended. Alarms that fire during the fault are ' +
  'reported but do not count against it: the experiment file asks them to be OK before and again after. ' +
  'Deviated when any of these failed; untested when nothing was injected (no impact recorded).';

interface Inputs {
  incident: Incident;
  attrs: ReportFacts;
  histories: readonly SubjectHistory[];
  samples: readonly TimedSample[];
  /** Why a game day injected nothing (src/report/injection.ts); null when it injected, or for an incident. */
  notInjected: string | null;
  impact: number | null;
  recovered: number | null;
  rto: RtoResult;
  show: (ms: number) => string;
  showMinute: (ms: number) => string;
  duration: (seconds: number) => string;
}

export function hypothesisVerdict(x: Inputs): HypothesisResult {
  if (x.impact === null) {
    return {
      verdict: 'untested',
      definition: HYPOTHESIS_DEFINITION,
      reasons: [
        x.attrs.dryRun
          ? 'a dry run injects nothing (FIS resolves the targets and skips the actions)'
          : x.notInjected
            ? `nothing was injected (${x.notInjected})`
            : 'no impact was recorded: nothing was injected or nothing happened',
      ],
      checks: [],
    };
  }
  const impact = x.impact;
  const checks: HypothesisCheck[] = [];
  if (x.incident.kind === 'gameday') {
    for (const h of x.histories) checks.push(beforeCheck(h, impact, x.show));
  }
  for (const bound of x.attrs.hypothesis?.metrics ?? [])
    checks.push(boundCheck(bound, x.samples, impact, x.showMinute));
  checks.push(afterCheck(x));
  const reasons = checks.filter((c) => c.held === false).map((c) => c.detail);
  return {
    verdict: reasons.length > 0 ? 'deviated' : 'held',
    definition: HYPOTHESIS_DEFINITION,
    reasons,
    checks,
  };
}

function beforeCheck(h: SubjectHistory, impact: number, show: (ms: number) => string): HypothesisCheck {
  const what = h.kind === 'alarm' ? 'alarm' : 'health check';
  const before = stateBefore(h, impact);
  const base = { subject: h.subject, kind: h.kind, phase: 'before' as const };
  if (!before) {
    return {
      ...base,
      held: true,
      detail: `${what} ${h.subject}: no change recorded before impact, taken as steady (preflight checks it)`,
    };
  }
  return before.steady
    ? { ...base, held: true, detail: `${what} ${h.subject} was ${before.state} when impact started` }
    : {
        ...base,
        held: false,
        detail: `${what} ${h.subject} was already ${before.state} (since ${show(before.at)}) when impact started`,
      };
}

function boundText(b: MetricBound): string {
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`min ${b.min}`);
  if (b.max !== undefined) parts.push(`max ${b.max}`);
  return parts.join(', ');
}

function boundCheck(
  bound: MetricBound,
  samples: readonly TimedSample[],
  impact: number,
  showMinute: (ms: number) => string,
): HypothesisCheck {
  const base = { subject: bound.name, kind: 'metric' as const, phase: 'during' as const };
  const read = boundReader(bound);
  if (!read) {
    return {
      ...base,
      held: null,
      detail: `${bound.name}: not evaluated, the minute samples do not carry ${bound.namespace} ${bound.metric} (${bound.statistic})`,
    };
  }
  const from = minuteOf(impact);
  let minutes = 0;
  let outside = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let worst: number | null = null;
  for (const s of samples) {
    if (s.minute < from) continue;
    const v = read(s.sample);
    if (v === null) continue;
    minutes++;
    if (!outsideBound(bound, v)) continue;
    outside++;
    firstAt ??= s.minute;
    lastAt = s.minute;
    const distance = (u: number) => Math.max(u - (bound.max ?? Infinity), (bound.min ?? -Infinity) - u);
    if (worst === null || distance(v) > distance(worst)) worst = v;
  }
  if (minutes === 0) {
    return {
      ...base,
      held: null,
      detail: `${bound.name}: not evaluated, no sample at or after impact start`,
    };
  }
  if (outside === 0) {
    return {
      ...base,
      held: true,
      detail: `${bound.name} stayed within ${boundText(bound)} for all ${minutes} minutes`,
    };
  }
  return {
    ...base,
    held: false,
    detail:
      `${bound.name} was outside ${boundText(bound)} in ${outside} of ${minutes} minutes ` +
      `(${showMinute(firstAt!)}${lastAt !== firstAt ? `–${showMinute(lastAt!)}` : ''}), worst ${round(worst!)}`,
  };
}

const round = (v: number) => Math.round(v * 100) / 100;

function afterCheck(x: Inputs): HypothesisCheck {
  const base = { subject: 'steady state', kind: 'recovery' as const, phase: 'after' as const };
  const { rto } = x;
  if (x.recovered === null) {
    return {
      ...base,
      held: false,
      detail: `steady state not back: ${rto.note ?? 'not seen on the timeline'}`,
    };
  }
  const within =
    rto.achievedSeconds === null
      ? ''
      : `, ${x.duration(rto.achievedSeconds)} after ${rtoStartWords(x.attrs)}` +
        (rto.objectiveSeconds === null ? '' : ` (RTO ${x.duration(rto.objectiveSeconds)})`);
  if (rto.met === false) {
    return {
      ...base,
      held: false,
      detail: `steady state back at ${x.show(x.recovered)}${within}: RTO missed`,
    };
  }
  return { ...base, held: true, detail: `steady state back at ${x.show(x.recovered)}${within}` };
}
