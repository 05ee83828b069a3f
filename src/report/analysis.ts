import type { Incident, TimelineEvent } from '../timeline/event.ts';
import { type ReportFacts, readAttributes } from './attributes.ts';
import { type Automation, automationOf } from './automation.ts';
import { type Cost, costOf, DEFAULT_PRICES, type Prices } from './cost.ts';
import { formatDuration } from './format.ts';
import { type HypothesisResult, hypothesisVerdict } from './hypothesis.ts';
import {
  type KeyMoment,
  keyMoments,
  type MomentDuration,
  type MomentName,
  momentDurations,
  orderProblems,
} from './moments.ts';
import { type Objectives, objectives } from './objectives.ts';
import { type Remediations, remediationsOf } from './remediations.ts';
import { minuteOf, samplesOf, type TimedSample, totalHealthyHosts } from './samples.ts';
import { type Episode, episodesOf, type SubjectHistory, steadyStateHistories } from './steady-state.ts';
import { type ZoneFormat, zoneFormat } from './time-zone.ts';
import { type Fact, normaliseTimeline } from './timeline.ts';

export interface ReportOptions {
  /** IANA time zone every time in the report is shown in; UTC by default. */
  timeZone?: string;
  /** Overrides of the list prices the cost is computed with. */
  prices?: Partial<Prices>;
}

/** A metric's extreme over the impact, and the minute it was reached. */
export interface Extreme {
  value: number;
  at: number;
}

export interface ImpactSummary {
  /** Impact start → recovered (or the end of the timeline when not recovered). */
  from: number;
  to: number;
  recovered: boolean;
  peakErrorRatePercent: Extreme | null;
  worstP99LatencyMs: Extreme | null;
  fewestHealthyHosts: Extreme | null;
  lowestRequestRate: Extreme | null;
  maxReplicaLagMs: Extreme | null;
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
  /** When the fault (game day) or the impact (incident) was active, for shading; null without impact. */
  faultWindow: { from: number; to: number; ongoing: boolean } | null;
  histories: SubjectHistory[];
  /** Periods steady-state alarms and health checks spent out of their steady state. */
  episodes: Episode[];
  objectives: Objectives;
  hypothesis: HypothesisResult;
  automation: Automation;
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
  const moments = keyMoments(incident, facts, attrs, histories);
  const order = orderProblems(moments, zone.time);
  const at = (name: MomentName) => moments.find((m) => m.name === name)!.at;
  const objs = objectives(facts, samples, moments, attrs, order.suspect);
  const automation = automationOf(facts);
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
    faultWindow: faultWindow(incident, impact, automation, at('mitigated'), span),
    histories,
    episodes: histories.flatMap(episodesOf).sort((a, b) => a.from - b.from),
    objectives: objs,
    hypothesis: hypothesisVerdict({
      incident,
      attrs,
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
    remediations: remediationsOf(facts, attrs),
    cost: costOf(automation, { ...DEFAULT_PRICES, ...options.prices }),
    impact: impact === null || span === null ? null : impactSummary(samples, impact, recovered, span.to),
  };
}

function faultWindow(
  incident: Incident,
  impact: number | null,
  automation: Automation,
  mitigated: number | null,
  span: { to: number } | null,
): Analysis['faultWindow'] {
  if (impact === null || span === null) return null;
  const end = incident.kind === 'gameday' ? automation.experiment.endedAt : mitigated;
  if (end !== null && end >= impact) return { from: impact, to: end, ongoing: false };
  return { from: impact, to: Math.max(impact, span.to), ongoing: true };
}

function impactSummary(
  samples: readonly TimedSample[],
  impact: number,
  recovered: number | null,
  end: number,
): ImpactSummary {
  const from = minuteOf(impact);
  const to = recovered ?? end;
  const pick = (read: (s: TimedSample) => number | null, better: (a: number, b: number) => boolean) => {
    let best: Extreme | null = null;
    for (const s of samples) {
      if (s.minute < from || s.minute > to) continue;
      const v = read(s);
      if (v !== null && (best === null || better(v, best.value))) best = { value: v, at: s.minute };
    }
    return best;
  };
  const higher = (a: number, b: number) => a > b;
  const lower = (a: number, b: number) => a < b;
  return {
    from: impact,
    to: Math.max(impact, to),
    recovered: recovered !== null,
    peakErrorRatePercent: pick((s) => s.sample.errorRatePercent, higher),
    worstP99LatencyMs: pick((s) => s.sample.p99LatencyMs, higher),
    fewestHealthyHosts: pick((s) => totalHealthyHosts(s.sample), lower),
    lowestRequestRate: pick((s) => s.sample.requestRate, lower),
    maxReplicaLagMs: pick((s) => s.sample.replicaLagMs, higher),
  };
}
