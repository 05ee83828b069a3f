import type { Incident } from '../timeline/event.ts';
import type { ReportFacts } from './attributes.ts';
import { boundReader, outsideBound } from './samples.ts';
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

export const TERMINAL_EXPERIMENT = new Set(['completed', 'stopped', 'failed', 'cancelled']);
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

function definitions(kind: Incident['kind']): Record<MomentName, string> {
  return {
    impactStarted:
      kind === 'gameday'
        ? 'The first FIS action (or the experiment) reported running: the fault was injected.'
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
        ? 'The experiment reached a terminal state (completed, stopped, failed or cancelled): the fault stopped.'
        : 'A remediation succeeded (SSM Automation Success, Route 53 change INSYNC) or the experiment behind it ended.',
    recovered:
      'The steady state was back: the recovery verification passed, or every steady-state alarm was OK and every health check healthy again (for good) at or after mitigation; on a timeline without alarm transitions, the first remediation verified.',
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
 * The moments a person is shown: the remediation ones only when a remediation acted (a game day with
 * remediation off would otherwise list two "not recorded" rows). The JSON keeps all of them.
 */
export function shownMoments(moments: readonly KeyMoment[]): KeyMoment[] {
  return moments.filter((m) => m.at !== null || !m.name.startsWith('remediation'));
}

/** Pairs that must be in this order for durations to mean anything (others may legitimately cross). */
const ORDER: ReadonlyArray<[MomentName, MomentName]> = [
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
}

const first = (facts: readonly Fact[], test: (f: Fact) => boolean, from = -Infinity): Found | null => {
  for (const f of facts) if (f.at >= from && test(f)) return { at: f.at, eventId: f.event.eventId };
  return null;
};

/**
 * The key moments, each derived independently from the timeline (never typed by hand) so that
 * the order check below can catch a timeline that contradicts itself.
 */
export function keyMoments(
  incident: Incident,
  facts: readonly Fact[],
  attrs: ReportFacts,
  histories: readonly SubjectHistory[],
): KeyMoment[] {
  const gameday = incident.kind === 'gameday';
  const stated = gameday ? null : statedTransition(facts, attrs);
  const impact = gameday
    ? first(facts, isInjection)
    : earliest(earliest(first(facts, isAlarm), firstBreach(facts, attrs)), stated);
  const detected = impact ? (first(facts, isAlarm, impact.at) ?? stated) : null;
  const responded = detected ? first(facts, isResponse, detected.at) : null;
  const mitigated = first(facts, (f) => isExperimentEnd(f) || (!gameday && isRemediationSuccess(f)));
  const verified = first(facts, isRemediationVerified);
  const recovered = recoveredMoment(facts, histories, mitigated, verified);
  const closedAt = incident.closedAt ? Date.parse(incident.closedAt) : null;
  const resolved: Found | null = closedAt === null ? null : { at: closedAt, eventId: null };
  const found: Record<MomentName, Found | null> = {
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
    at: found[name]?.at ?? null,
    eventId: found[name]?.eventId ?? null,
    definition: defs[name],
  }));
}

function earliest(a: Found | null, b: Found | null): Found | null {
  if (!a) return b;
  if (!b) return a;
  return b.at < a.at ? b : a;
}

const isInjection = (f: Fact) =>
  (f.typed?.kind === 'fis.action' || f.typed?.kind === 'fis.experiment') &&
  f.typed.detail.status === 'running';

const isAlarm = (f: Fact) => f.typed?.kind === 'alarm.state' && f.typed.detail.to === 'ALARM';

const isExperimentEnd = (f: Fact) =>
  f.typed?.kind === 'fis.experiment' && TERMINAL_EXPERIMENT.has(f.typed.detail.status);

const isRemediationSuccess = (f: Fact) =>
  (f.typed?.kind === 'ssm.automation' || f.typed?.kind === 'route53.change') &&
  f.typed.detail.status === REMEDIATION_SUCCESS[f.typed.kind];

const isRemediationStart = (f: Fact) =>
  f.typed?.kind === 'remediation.action' && f.typed.detail.outcome === 'started';

const isRemediationVerified = (f: Fact) => f.typed?.kind === 'remediation.verify' && f.typed.detail.verified;

const isResponse = (f: Fact) =>
  RESPONSE_KINDS.has(f.event.kind) ||
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
  return { at: s.at, eventId: triage.eventId };
}

function firstBreach(facts: readonly Fact[], attrs: ReportFacts): Found | null {
  const bounds = (attrs.hypothesis?.metrics ?? []).flatMap((b) => {
    const read = boundReader(b);
    return read ? [{ b, read }] : [];
  });
  if (bounds.length === 0) return null;
  return first(facts, (f) => {
    if (f.typed?.kind !== 'metrics.sample') return false;
    const s = f.typed.detail;
    return bounds.some(({ b, read }) => {
      const v = read(s);
      return v !== null && outsideBound(b, v);
    });
  });
}

function recoveredMoment(
  facts: readonly Fact[],
  histories: readonly SubjectHistory[],
  mitigated: Found | null,
  remediationVerified: Found | null,
): Found | null {
  let verification: Fact | undefined;
  for (const f of facts) if (f.typed?.kind === 'gameday.recovery') verification = f;
  if (verification?.typed?.kind === 'gameday.recovery') {
    const d = verification.typed.detail;
    if (!d.recovered) return null;
    const at = d.recoveredAt ? Date.parse(d.recoveredAt) : verification.at;
    return { at: Number.isNaN(at) ? verification.at : at, eventId: verification.event.eventId };
  }
  // Nothing on the timeline to judge the steady state by: the remediation's verification did.
  if (histories.length === 0 && remediationVerified) return remediationVerified;
  if (!mitigated) return null;
  const back = backToSteady(histories);
  if (back.at === null) {
    // Nothing left the steady state, or something never came back.
    const anyOut = histories.some((h) => h.transitions.at(-1)?.steady === false);
    return anyOut ? null : mitigated;
  }
  return back.at > mitigated.at ? { at: back.at, eventId: back.eventId } : mitigated;
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
