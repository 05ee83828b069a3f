import { extraLines } from '../observe/sample-metrics.ts';
import type { RunRecord } from '../scorecard/run.ts';
import type { Incident, TimelineEvent } from '../timeline/event.ts';
import { type ReportFacts, readAttributes } from './attributes.ts';
import { type Automation, automationOf } from './automation.ts';
import { type Cost, costOf, DEFAULT_PRICES, type Prices } from './cost.ts';
import { formatDuration } from './format.ts';
import { type HypothesisResult, hypothesisVerdict } from './hypothesis.ts';
import { type Injection, injectionOf } from './injection.ts';
import {
  faultEnd,
  type KeyMoment,
  keyMoments,
  type MomentDuration,
  type MomentName,
  momentDurations,
  orderProblems,
} from './moments.ts';
import { type Objectives, objectives } from './objectives.ts';
import { type Remediations, remediationsOf } from './remediations.ts';
import {
  boundsHistory,
  breachText,
  extraField,
  MINUTE,
  minuteOf,
  readField,
  samplesOf,
  type TimedSample,
  totalHealthyHosts,
} from './samples.ts';
import { type Episode, episodesOf, type SubjectHistory, steadyStateHistories } from './steady-state.ts';
import { type ZoneFormat, zoneFormat } from './time-zone.ts';
import { type Fact, normaliseTimeline } from './timeline.ts';

export interface ReportOptions {
  /** IANA time zone every time in the report is shown in; UTC by default. */
  timeZone?: string;
  /** Overrides of the list prices the cost is computed with. */
  prices?: Partial<Prices>;
  /** The previous run of the same experiment (null: none recorded); the report compares with it when given. */
  previousRun?: RunRecord | null;
}

/** A metric's extreme over the impact, and the minute it was reached. */
export interface Extreme {
  value: number;
  at: number;
}

/** Where the impact starts or ends, and what on the timeline shows it. */
export interface ImpactBound {
  at: number;
  eventId: string | null;
  /** As a person reads it, e.g. `checkout-unhealthy-hosts: ALARM → OK`. */
  evidence: string;
}

export interface ImpactSummary {
  /**
   * How the span was measured: `signals` — from the first sign in the service's own signals (a
   * steady-state alarm or health check leaving its state, a minute outside a hypothesis metric
   * bound) to the last return (recovered); `fault` — nothing left the steady state, so the span is
   * the fault's (its injection to its end).
   */
  basis: 'signals' | 'fault';
  from: number;
  to: number;
  start: ImpactBound;
  /** Null when the end is the end of the timeline (not recovered). */
  end: ImpactBound | null;
  recovered: boolean;
  /** The user-facing part: the minutes outside the hypothesis's metric bounds (from the first such minute to the end of the last). */
  outsideBounds: { from: number; to: number; minutes: number } | null;
  peakErrorRatePercent: Extreme | null;
  worstP99LatencyMs: Extreme | null;
  fewestHealthyHosts: Extreme | null;
  lowestRequestRate: Extreme | null;
  maxReplicaLagMs: Extreme | null;
  /** Each line of the experiment's extra metrics that had a value over the impact: its lowest and highest. */
  extraMetrics: ExtraExtremes[];
}

/** One line of an extra metric over the impact. */
export interface ExtraExtremes {
  name: string;
  /** The line's series value; null for a metric of one line. */
  series: string | null;
  lowest: Extreme;
  highest: Extreme;
  /** Minutes of the impact with a sample but no value on this line (a node without power reports nothing). */
  unsampledMinutes: number;
}

/** Everything the three forms of the report are rendered from. */
export interface Analysis {
  incident: Incident;
  attrs: ReportFacts;
  zone: ZoneFormat;
  facts: Fact[];
  duplicatesDropped: number;
  repeatsDropped: number;
  /** Corrected eventId → its corrections. */
  corrections: Map<string, Fact[]>;
  samples: TimedSample[];
  /** First and last event (epoch ms); null for an empty timeline. */
  span: { from: number; to: number } | null;
  moments: KeyMoment[];
  durations: MomentDuration[];
  orderProblems: string[];
  /** When the fault (game day: injection → fault end) or the impact (incident) was active, for shading; null without impact. */
  faultWindow: { from: number; to: number; ongoing: boolean } | null;
  histories: SubjectHistory[];
  /** Periods steady-state alarms and health checks spent out of their steady state. */
  episodes: Episode[];
  objectives: Objectives;
  hypothesis: HypothesisResult;
  automation: Automation;
  /** What a game day injected, or why nothing (every output reads it from here). */
  injection: Injection;
  /** Each remediation on the timeline: trigger, guard, approval, action, verification, outcome, durations. */
  remediations: Remediations;
  cost: Cost;
  impact: ImpactSummary | null;
}

/** Derives the report's facts from an incident and its timeline. Pure: no I/O, no clock. */
export function analyse(
  incident: Incident,
  events: readonly TimelineEvent[],
  options: ReportOptions = {},
): Analysis {
  const zone = zoneFormat(options.timeZone ?? 'UTC');
  const attrs = readAttributes(incident);
  const timeline = normaliseTimeline(incident, events);
  const facts = timeline.facts;
  const samples = samplesOf(facts);
  const histories = steadyStateHistories(facts, attrs);
  const automation = automationOf(facts);
  const injection = injectionOf(incident, attrs, facts, automation);
  const moments = keyMoments({
    incident,
    facts,
    attrs,
    histories,
    samples,
    actions: automation.actions,
    injection,
  });
  const order = orderProblems(moments, zone.time);
  const at = (name: MomentName) => moments.find((m) => m.name === name)!.at;
  const ended = incident.kind === 'gameday' ? faultEnd({ facts, actions: automation.actions }) : null;
  const objs = objectives(
    facts,
    samples,
    moments,
    attrs,
    order.suspect,
    incident.kind === 'gameday' ? (ended?.at ?? null) : at('mitigated'),
    {
      none: injection.none,
      injected: (experimentId, action) =>
        automation.actions.some((x) => x.experimentId === experimentId && x.action === action && x.injected),
    },
  );
  const span = facts.length > 0 ? { from: facts[0]!.at, to: facts[facts.length - 1]!.at } : null;
  const impact = at('impactStarted');
  const recovered = order.suspect.has('recovered') ? null : at('recovered');
  return {
    incident,
    attrs,
    zone,
    facts,
    duplicatesDropped: timeline.duplicatesDropped,
    repeatsDropped: timeline.repeatsDropped,
    corrections: timeline.corrections,
    samples,
    span,
    moments,
    durations: momentDurations(moments, order.suspect),
    orderProblems: order.problems,
    faultWindow: faultWindow(incident, impact, ended?.at ?? null, at('mitigated'), span),
    histories,
    episodes: histories.flatMap(episodesOf).sort((a, b) => a.from - b.from),
    objectives: objs,
    hypothesis: hypothesisVerdict({
      incident,
      attrs,
      notInjected: injection.none,
      histories,
      samples,
      impact,
      recovered,
      rto: objs.rto,
      show: zone.time,
      showMinute: zone.minute,
      duration: formatDuration,
    }),
    automation,
    injection,
    remediations: remediationsOf(facts, attrs),
    cost: costOf(automation, { ...DEFAULT_PRICES, ...options.prices }),
    impact:
      impact === null || span === null
        ? null
        : impactSummary({
            incident,
            attrs,
            zone,
            histories,
            samples,
            moments,
            suspect: order.suspect,
            faultEndedAt: ended?.at ?? null,
            lastAt: span.to,
          }),
  };
}

/**
 * What the charts shade: a game day's fault, from its injection to the end of the last action that
 * acts on something (a wait that only holds the experiment open is not the fault); an incident's
 * impact, to its mitigation. Ongoing to the end of the timeline when it has not ended.
 */
function faultWindow(
  incident: Incident,
  impact: number | null,
  faultEndedAt: number | null,
  mitigated: number | null,
  span: { to: number } | null,
): Analysis['faultWindow'] {
  if (impact === null || span === null) return null;
  const end = incident.kind === 'gameday' ? faultEndedAt : mitigated;
  if (end !== null && end >= impact) return { from: impact, to: end, ongoing: false };
  return { from: impact, to: Math.max(impact, span.to), ongoing: true };
}

/**
 * The impact from the service's own signals: the first sign (a steady-state alarm or health check
 * leaving its state, a minute outside a hypothesis metric bound, at or after impact start) to the
 * recovery; when nothing left the steady state, the fault's span. Extremes are read over it.
 */
function impactSummary(x: {
  incident: Incident;
  attrs: ReportFacts;
  zone: ZoneFormat;
  histories: readonly SubjectHistory[];
  samples: readonly TimedSample[];
  moments: readonly KeyMoment[];
  suspect: ReadonlySet<MomentName>;
  faultEndedAt: number | null;
  lastAt: number;
}): ImpactSummary {
  const moment = (name: MomentName) => x.moments.find((m) => m.name === name)!;
  const impact = moment('impactStarted');
  const start = impact.at!;
  const recoveredMoment = x.suspect.has('recovered') ? null : moment('recovered');
  const recovered = recoveredMoment?.at ?? null;
  const bounds = boundsHistory(x.samples, x.attrs.hypothesis?.metrics ?? [], minuteOf(start));
  const outsideBounds =
    bounds.outside.length === 0
      ? null
      : {
          from: Math.max(start, bounds.outside[0]!.minute),
          to: bounds.outside.at(-1)!.minute + MINUTE,
          minutes: bounds.outside.length,
        };
  // A game day's impact start is the injection; an incident's is already its first sign.
  let sign: ImpactBound | null =
    x.incident.kind === 'gameday' ? firstSign(x.histories, start) : boundOf(impact);
  if (x.incident.kind === 'gameday' && outsideBounds && (sign === null || outsideBounds.from < sign.at)) {
    const breach = bounds.outside[0]!;
    sign = {
      at: outsideBounds.from,
      eventId: breach.eventId,
      evidence: `${breachText(x.attrs.hypothesis?.metrics ?? [], breach.sample)} in the minute of ${x.zone.minute(breach.minute)}`,
    };
  }
  const end: ImpactBound | null = recoveredMoment?.at != null ? boundOf(recoveredMoment) : null;
  const basis = sign === null ? 'fault' : 'signals';
  const from = sign?.at ?? start;
  const to = basis === 'fault' ? (x.faultEndedAt ?? recovered ?? x.lastAt) : (recovered ?? x.lastAt);
  const pick = (read: (s: TimedSample) => number | null, better: (a: number, b: number) => boolean) => {
    let best: Extreme | null = null;
    for (const s of x.samples) {
      if (s.minute < minuteOf(from) || s.minute > to) continue;
      const v = read(s);
      if (v !== null && (best === null || better(v, best.value))) best = { value: v, at: s.minute };
    }
    return best;
  };
  const higher = (a: number, b: number) => a > b;
  const lower = (a: number, b: number) => a < b;
  return {
    basis,
    from,
    to: Math.max(from, to),
    start: sign ?? boundOf(impact),
    end: basis === 'fault' ? null : end,
    recovered: recovered !== null,
    outsideBounds,
    peakErrorRatePercent: pick((s) => s.sample.errorRatePercent, higher),
    worstP99LatencyMs: pick((s) => s.sample.p99LatencyMs, higher),
    fewestHealthyHosts: pick((s) => totalHealthyHosts(s.sample), lower),
    lowestRequestRate: pick((s) => s.sample.requestRate, lower),
    maxReplicaLagMs: pick((s) => s.sample.replicaLagMs, higher),
    extraMetrics: x.attrs.extraMetrics.flatMap((m) =>
      extraLines(m).flatMap(({ series }) => {
        const read = (s: TimedSample) => readField(s.sample, extraField(m.name), series);
        const lowest = pick(read, lower);
        const highest = pick(read, higher);
        const unsampledMinutes = x.samples.filter(
          (s) => s.minute >= minuteOf(from) && s.minute <= to && read(s) === null,
        ).length;
        return lowest && highest ? [{ name: m.name, series, lowest, highest, unsampledMinutes }] : [];
      }),
    ),
  };
}

const boundOf = (m: KeyMoment): ImpactBound => ({
  at: m.at!,
  eventId: m.eventId,
  evidence: m.evidence ?? m.label,
});

/** The first steady-state alarm or health check to leave its state at or after `from`. */
function firstSign(histories: readonly SubjectHistory[], from: number): ImpactBound | null {
  let sign: ImpactBound | null = null;
  for (const h of histories) {
    const t = h.transitions.find((x) => !x.steady && x.at >= from);
    if (t && (sign === null || t.at < sign.at)) {
      sign = {
        at: t.at,
        eventId: t.eventId,
        evidence: `${h.kind === 'alarm' ? 'alarm' : 'health check'} ${h.subject} ${t.state}`,
      };
    }
  }
  return sign;
}
