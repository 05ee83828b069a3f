import { faultEndOf } from '../fis/fault-end.ts';
import type { Incident } from '../timeline/event.ts';
import type { ReportFacts } from './attributes.ts';
import { type ActionRun, TERMINAL_ACTION, TERMINAL_EXPERIMENT } from './automation.ts';
import type { Injection } from './injection.ts';
import {
  type BoundsHistory,
  boundsHistory,
  breachText,
  minuteOf,
  outsideAnyBound,
  type TimedSample,
} from './samples.ts';
import { backToSteady, type SubjectHistory } from './steady-state.ts';
import type { Fact } from './timeline.ts';

export const MOMENT_NAMES = [
  'impactStarted',
  'detected',
  'responded',
  'remediationActed',
  'mitigated',
  'remediationVerified',
  'recovered',
  'resolved',
] as const;
export type MomentName = (typeof MOMENT_NAMES)[number];

export interface KeyMoment {
  name: MomentName;
  label: string;
  /** Epoch ms; null when the timeline does not show it. */
  at: number | null;
  /** The event it was derived from (null for the incident's closedAt or when not found; for an incident a remediation opened, its impact and detection point at the triage of the transition it states). */
  eventId: string | null;
  /** What on the timeline shows it, as a person reads it (null when not recorded). */
  evidence: string | null;
  definition: string;
}

export interface MomentDuration {
  name: 'timeToDetect' | 'timeToRespond' | 'timeToMitigate' | 'timeToRecover' | 'timeToResolve';
  label: string;
  to: MomentName;
  seconds: number | null;
  definition: string;
  /** Why there is no value. */
  note: string | null;
}

const REMEDIATION_SUCCESS: Record<string, string> = {
  'ssm.automation': 'Success',
  'route53.change': 'INSYNC',
};
const RESPONSE_KINDS = new Set(['gameday.stop-requested', 'ssm.automation', 'route53.change', 'note']);

const LABELS: Record<MomentName, string> = {
  impactStarted: 'Impact started',
  detected: 'Detected',
  responded: 'Responded',
  remediationActed: 'Remediation acted',
  mitigated: 'Mitigated',
  remediationVerified: 'Remediation verified',
  recovered: 'Recovered',
  resolved: 'Resolved',
};

const RECOVERED_DEFINITION =
  "The steady state was whole again, for good, as the service's own signals show it: the last of each steady-state " +
  "alarm's return to OK, each health check's return to healthy and the first minute from which every hypothesis " +
  "metric stayed within its bounds. When nothing left the steady state, the fault's end. Never the poll that noticed it: " +
  'only when the timeline does not show a subject back that the recovery check saw back, that check (a poll, so an upper bound).';

function definitions(kind: Incident['kind']): Record<MomentName, string> {
  return {
    impactStarted:
      kind === 'gameday'
        ? 'The first FIS action that injected its fault reported running (not a wait, not one that failed as it started; the experiment, on a timeline that shows no action).'
        : 'The first alarm in ALARM, or the first metric sample outside a hypothesis bound, or the alarm transition a remediation opened the incident for, whichever came first.',
    detected:
      kind === 'gameday'
        ? 'The first alarm transition to ALARM at or after impact started.'
        : 'The first alarm transition to ALARM at or after impact started (without one on the timeline, the transition a remediation opened the incident for).',
    responded:
      'The first automated or human action after detection: a stop request, a remediation action started (SSM Automation, Route 53 change), an approval or a note.',
    remediationActed:
      'The first remediation action started (SSM Automation execution or Route 53 failover); dry runs and refusals do not count.',
    remediationVerified:
      "The first remediation whose verification passed: its runbook's alarms back to OK and health checks healthy.",
    mitigated:
      kind === 'gameday'
        ? 'The user impact stopped: the first minute from which every hypothesis metric stayed within its bounds, when one had left them; ' +
          'otherwise the first remediation action that succeeded (SSM Automation Success, Route 53 change INSYNC) or the recovery, whichever came first.'
        : 'A remediation succeeded (SSM Automation Success, Route 53 change INSYNC) or the experiment behind it ended; the recovery, when it came first.',
    recovered:
      kind === 'gameday'
        ? RECOVERED_DEFINITION
        : `${RECOVERED_DEFINITION} On a timeline without alarm transitions or samples, the first remediation verified, else the mitigation.`,
    resolved: 'The incident was closed.',
  };
}

const DURATIONS: ReadonlyArray<Pick<MomentDuration, 'name' | 'label' | 'to' | 'definition'>> = [
  {
    name: 'timeToDetect',
    label: 'Time to detect (TTD)',
    to: 'detected',
    definition: 'Impact started → detected.',
  },
  {
    name: 'timeToRespond',
    label: 'Time to respond',
    to: 'responded',
    definition: 'Impact started → responded.',
  },
  {
    name: 'timeToMitigate',
    label: 'Time to mitigate (TTM)',
    to: 'mitigated',
    definition: 'Impact started → mitigated.',
  },
  {
    name: 'timeToRecover',
    label: 'Time to recover (TTR)',
    to: 'recovered',
    definition: 'Impact started → recovered.',
  },
  {
    name: 'timeToResolve',
    label: 'Time to resolve',
    to: 'resolved',
    definition: 'Impact started → resolved.',
  },
];

/**
 * The moments a person is shown, in the order they happened (those not recorded last): the
 * remediation ones only when a remediation acted (a game day with remediation off would otherwise
 * list two "not recorded" rows). The JSON keeps all of them, in their fixed order.
 */
export function shownMoments(moments: readonly KeyMoment[]): KeyMoment[] {
  const shown = moments.filter((m) => m.at !== null || !m.name.startsWith('remediation'));
  const rank = (m: KeyMoment) => MOMENT_NAMES.indexOf(m.name);
  return shown.sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity) || rank(a) - rank(b));
}

/**
 * Pairs that a consistent timeline cannot put in the other order, whatever the incident: each
 * later moment is defined from or after the earlier one. Others may legitimately cross (the load
 * balancer may stop the user impact before an alarm detects anything; a remediation may be
 * verified while the metrics are still out).
 */
export const ORDER: ReadonlyArray<[MomentName, MomentName]> = [
  ['impactStarted', 'detected'],
  ['impactStarted', 'responded'],
  ['impactStarted', 'mitigated'],
  ['impactStarted', 'recovered'],
  ['impactStarted', 'resolved'],
  ['detected', 'responded'],
  ['mitigated', 'recovered'],
  ['recovered', 'resolved'],
  ['mitigated', 'resolved'],
  ['remediationActed', 'remediationVerified'],
];

interface Found {
  at: number;
  eventId: string | null;
  evidence: string;
}

const found = (f: Fact): Found => ({
  at: f.at,
  eventId: f.event.eventId,
  evidence: f.event.summary || f.event.kind,
});

const first = (facts: readonly Fact[], test: (f: Fact) => boolean, from = -Infinity): Found | null => {
  for (const f of facts) if (f.at >= from && test(f)) return found(f);
  return null;
};

/** What the moments are derived from. */
export interface MomentInputs {
  incident: Incident;
  facts: readonly Fact[];
  attrs: ReportFacts;
  histories: readonly SubjectHistory[];
  samples: readonly TimedSample[];
  /** The FIS actions' runs (a game day's fault ends with the last one that acts on something). */
  actions: readonly ActionRun[];
  /** What the game day injected, and from when (src/report/injection.ts). */
  injection: Pick<Injection, 'start'>;
}

/**
 * The key moments, each derived independently from the events that show it (never from a poll that
 * noticed it, never typed by hand) so that the order check below can catch a timeline that
 * contradicts itself.
 */
export function keyMoments(x: MomentInputs): KeyMoment[] {
  const { incident, facts, attrs } = x;
  const gameday = incident.kind === 'gameday';
  const stated = gameday ? null : statedTransition(facts, attrs);
  const impact = gameday
    ? x.injection.start && found(x.injection.start)
    : earliest(earliest(first(facts, isAlarm), firstBreach(x)), stated);
  const detected = impact ? (first(facts, isAlarm, impact.at) ?? stated) : null;
  const responded = detected ? first(facts, isResponse, detected.at) : null;
  const verified = first(facts, isRemediationVerified);
  const bounds = impact
    ? boundsHistory(x.samples, attrs.hypothesis?.metrics ?? [], minuteOf(impact.at))
    : { outside: [], back: undefined };
  const fixed = impact ? first(facts, isRemediationSuccess, impact.at) : null;
  let mitigated: Found | null;
  let recovered: Found | null;
  if (gameday) {
    recovered = impact ? gameDayRecovery(x, impact, bounds) : null;
    mitigated = !impact
      ? null
      : bounds.back !== undefined
        ? bounds.back && metricsBack(bounds.back)
        : earliest(fixed, recovered);
  } else {
    const ended = first(facts, (f) => isExperimentEnd(f) || isRemediationSuccess(f));
    recovered = impact ? incidentRecovery(x, impact, bounds, ended, verified) : null;
    // Back before the fix reported done (a host healthy before its automation's last step): that was the mitigation.
    mitigated = earliest(ended, recovered);
  }
  const closedAt = incident.closedAt ? Date.parse(incident.closedAt) : null;
  const resolved: Found | null =
    closedAt === null ? null : { at: closedAt, eventId: null, evidence: 'the incident was closed' };
  const all: Record<MomentName, Found | null> = {
    impactStarted: impact,
    detected,
    responded,
    remediationActed: first(facts, isRemediationStart),
    mitigated,
    remediationVerified: verified,
    recovered,
    resolved,
  };
  const defs = definitions(incident.kind);
  return MOMENT_NAMES.map((name) => ({
    name,
    label: LABELS[name],
    at: all[name]?.at ?? null,
    eventId: all[name]?.eventId ?? null,
    evidence: all[name]?.evidence ?? null,
    definition: defs[name],
  }));
}

function earliest(a: Found | null, b: Found | null): Found | null {
  if (!a) return b;
  if (!b) return a;
  return b.at < a.at ? b : a;
}

function latest(list: ReadonlyArray<Found | null>): Found | null {
  let out: Found | null = null;
  for (const f of list) if (f && (out === null || f.at > out.at)) out = f;
  return out;
}

const metricsBack = (s: TimedSample): Found => ({
  at: s.minute,
  eventId: s.eventId,
  evidence: 'from this minute on, every hypothesis metric within its bounds',
});

/**
 * The signals' last return (alarms, health checks, metric bounds), when all are back; `'out'` when
 * one still is not, `'never-left'` when none left the steady state after impact started.
 */
function signalsBack(x: MomentInputs, impact: Found, bounds: BoundsHistory): Found | 'out' | 'never-left' {
  const alarms = backToSteady(x.histories, impact.at);
  if (alarms.out || bounds.back === null) return 'out';
  const alarmBack: Found | null = alarms.last && {
    at: alarms.last.at,
    eventId: alarms.last.eventId,
    evidence:
      x.facts.find((f) => f.event.eventId === alarms.last!.eventId)?.event.summary ??
      `${alarms.last.subject} back to ${alarms.last.state}`,
  };
  return latest([alarmBack, bounds.back ? metricsBack(bounds.back) : null]) ?? 'never-left';
}

/** The recovery check that closed the game day: its verdict, and the poll it made it at. */
function verification(facts: readonly Fact[]): { recovered: boolean; fact: Fact } | null {
  let last: Fact | undefined;
  for (const f of facts) if (f.typed?.kind === 'gameday.recovery') last = f;
  return last?.typed?.kind === 'gameday.recovery'
    ? { recovered: last.typed.detail.recovered, fact: last }
    : null;
}

function gameDayRecovery(x: MomentInputs, impact: Found, bounds: BoundsHistory): Found | null {
  const check = verification(x.facts);
  if (check && !check.recovered) return null;
  const back = signalsBack(x, impact, bounds);
  if (back === 'out') {
    // The check saw it whole; the timeline does not show every subject's return: the check is the only evidence.
    return check
      ? {
          ...found(check.fact),
          evidence: 'the recovery check (a poll: the timeline does not show every signal back)',
        }
      : null;
  }
  if (back !== 'never-left') return back;
  const end = faultEnd(x);
  return end && { ...end, evidence: 'the fault ended; nothing had left the steady state' };
}

function incidentRecovery(
  x: MomentInputs,
  impact: Found,
  bounds: BoundsHistory,
  mitigated: Found | null,
  verified: Found | null,
): Found | null {
  const back = signalsBack(x, impact, bounds);
  if (back === 'out') return null;
  if (back !== 'never-left') return back;
  // Nothing on the timeline to judge the steady state by: the remediation's verification did.
  return verified ?? mitigated;
}

/**
 * When the game day's fault ended: the last FIS action that acts on something (src/fis/fault-end.ts),
 * or, on a timeline that shows no action running, the experiment's end.
 */
export function faultEnd(x: Pick<MomentInputs, 'facts' | 'actions'>): Found | null {
  // An action still running when the timeline ends has not ended, whatever it is counted up to.
  const { injected, endedAt } = faultEndOf(
    x.actions.map((a) => ({ ...a, status: a.finalStatus, endedAt: a.ongoing ? null : a.endedAt })),
  );
  if (!injected) return first(x.facts, isExperimentEnd);
  if (endedAt === null) return null;
  const ended = x.facts.find(
    (f) => f.at === endedAt && f.typed?.kind === 'fis.action' && TERMINAL_ACTION.has(f.typed.detail.status),
  );
  return ended ? found(ended) : { at: endedAt, eventId: null, evidence: 'the fault ended' };
}

const isAlarm = (f: Fact) => f.typed?.kind === 'alarm.state' && f.typed.detail.to === 'ALARM';

const isExperimentEnd = (f: Fact) =>
  f.typed?.kind === 'fis.experiment' && TERMINAL_EXPERIMENT.has(f.typed.detail.status);

const isRemediationSuccess = (f: Fact) =>
  (f.typed?.kind === 'ssm.automation' || f.typed?.kind === 'route53.change') &&
  f.typed.detail.status === REMEDIATION_SUCCESS[f.typed.kind];

const isRemediationStart = (f: Fact) =>
  f.typed?.kind === 'remediation.action' && f.typed.detail.outcome === 'started';

const isRemediationVerified = (f: Fact) => f.typed?.kind === 'remediation.verify' && f.typed.detail.verified;

// A note written after the incident closed (placed at the close) is about it, not a response in it.
const isResponse = (f: Fact) =>
  (RESPONSE_KINDS.has(f.event.kind) && f.event.detail.writtenAt === undefined) ||
  isRemediationStart(f) ||
  f.event.source === 'approval' ||
  f.event.kind.startsWith('approval.');

/**
 * The alarm transition an incident a remediation opened states (its `subject`), anchored on the
 * triage that saw it: such a timeline carries no alarm.state of its own. A stated time after the
 * triage is not believed.
 */
function statedTransition(facts: readonly Fact[], attrs: ReportFacts): Found | null {
  const s = attrs.subject;
  if (s?.kind !== 'alarm' || s.at === null) return null;
  const triage = first(facts, (f) => f.typed?.kind === 'remediation.triage' && f.typed.detail.matched);
  if (!triage || s.at > triage.at) return null;
  return {
    at: s.at,
    eventId: triage.eventId,
    evidence: `alarm ${s.name} went to ${s.state}, as the remediation's event states it`,
  };
}

function firstBreach(x: MomentInputs): Found | null {
  const outside = outsideAnyBound(x.attrs.hypothesis?.metrics ?? []);
  if (!outside) return null;
  const s = x.samples.find((t) => outside(t.sample));
  return s
    ? { at: s.minute, eventId: s.eventId, evidence: breachText(x.attrs.hypothesis?.metrics ?? [], s.sample) }
    : null;
}

/** Pairs of moments out of order, as sentences; empty when the timeline is consistent. */
export function orderProblems(
  moments: readonly KeyMoment[],
  show: (ms: number) => string,
): { problems: string[]; suspect: Set<MomentName> } {
  const byName = new Map(moments.map((m) => [m.name, m]));
  const problems: string[] = [];
  const suspect = new Set<MomentName>();
  for (const [a, b] of ORDER) {
    const ma = byName.get(a)!;
    const mb = byName.get(b)!;
    if (ma.at === null || mb.at === null || ma.at <= mb.at) continue;
    // Impact start anchors every duration; a moment before it is the one in doubt.
    const anchor = a === 'impactStarted';
    problems.push(
      `${mb.label} (${show(mb.at)}) is before ${ma.label.toLowerCase()} (${show(ma.at)}): ` +
        (anchor ? 'the duration to it is not computed.' : 'the durations to either are not computed.'),
    );
    if (!anchor) suspect.add(a);
    suspect.add(b);
  }
  return { problems, suspect };
}

/** Durations from impact start, withheld (with the reason) when a moment is missing or out of order. */
export function momentDurations(
  moments: readonly KeyMoment[],
  suspect: ReadonlySet<MomentName>,
): MomentDuration[] {
  const byName = new Map(moments.map((m) => [m.name, m]));
  const impact = byName.get('impactStarted')!;
  return DURATIONS.map((d) => {
    const to = byName.get(d.to)!;
    let note: string | null = null;
    if (impact.at === null) note = 'impact start not recorded';
    else if (to.at === null) note = `${to.label.toLowerCase()} not recorded`;
    else if (suspect.has(d.to)) note = 'moments out of order (see the order check)';
    const seconds = note === null ? (to.at! - impact.at!) / 1000 : null;
    return { ...d, seconds, note };
  });
}
