import type { ReportFacts } from './attributes.ts';
import { roundTo } from './format.ts';
import type { KeyMoment, MomentName } from './moments.ts';
import { MINUTE, minuteOf, type TimedSample } from './samples.ts';
import type { Fact } from './timeline.ts';

export interface RtoResult {
  objectiveSeconds: number | null;
  achievedSeconds: number | null;
  met: boolean | null;
  faultEndedAt: number | null;
  recoveredAt: number | null;
  definition: string;
  note: string | null;
}

export interface RpoResult {
  objectiveSeconds: number | null;
  achievedSeconds: number | null;
  met: boolean | null;
  failoverAt: number | null;
  failoverEventId: string | null;
  definition: string;
  note: string | null;
}

export interface ErrorBudgetResult {
  /** Availability objective in percent. */
  slo: number | null;
  windowSeconds: number;
  baselineRequestRate: number | null;
  baselineSource: 'attributes' | 'samples before impact' | 'all samples' | null;
  allowedErrors: number | null;
  errorsDuringIncident: number | null;
  spentPercent: number | null;
  /** The minutes counted as the incident (epoch ms of the first and last minute). */
  from: number | null;
  to: number | null;
  formula: string;
  note: string | null;
}

export interface Objectives {
  rto: RtoResult;
  rpo: RpoResult;
  errorBudget: ErrorBudgetResult;
}

const RTO_DEFINITION =
  'Fault ended (the last FIS action that acts on something ended: a wait that holds the experiment open is not the fault; ' +
  'for an incident a remediation opened, the mitigation) → steady state back (recovered); zero when it was back before the fault ended.';
const RTO_FROM_IMPACT_DEFINITION =
  'Impact started → steady state back (recovered): the experiment measures its RTO from the impact (objectives.rtoFrom: impact), as a lost region comes back on nobody’s schedule.';
const RPO_DEFINITION =
  'The replica lag sampled in the last minute that ended before the failover started (its Maximum; the failover’s own minute when none did): the writes the replica taking over had not received, which the failover gave up. A failover is a database failover (FIS), a DNS failover, or an SSM Automation whose document fails over (promoting a standby).';
export const ERROR_BUDGET_FORMULA =
  'spent = Σ over incident minutes (requestRate × errorRate% ÷ 100 × 60 s) ÷ ((1 − SLO ÷ 100) × baseline requestRate × SLO window in seconds)';

/** Where the RTO's clock starts, as a sentence ends: "steady state back 8 min after …". */
export function rtoStartWords(attrs: ReportFacts): string {
  return attrs.objectives.rtoFrom === 'impact' ? 'the impact started' : 'the fault ended';
}

export function objectives(
  facts: readonly Fact[],
  samples: readonly TimedSample[],
  moments: readonly KeyMoment[],
  attrs: ReportFacts,
  suspect: ReadonlySet<MomentName>,
  /** When the fault ended (a game day), or the mitigation (an incident a remediation opened). */
  faultEndedAt: number | null,
  /**
   * What the game day injected (src/report/injection.ts): why nothing, when nothing was; whether
   * an FIS action injected its fault (a failover that failed as it started failed nothing over).
   */
  injection: {
    none: string | null;
    injected: (experimentId: string, action: string) => boolean;
  } = { none: null, injected: () => true },
): Objectives {
  // A moment the order check doubts is not used to bound anything.
  const raw = (name: MomentName) => moments.find((m) => m.name === name)!.at;
  const at = (name: MomentName) => (suspect.has(name) ? null : raw(name));
  const outOfOrder = suspect.has('mitigated') || suspect.has('recovered');
  return {
    rto: rto(
      facts,
      attrs,
      raw('impactStarted') === null ? null : faultEndedAt,
      raw('recovered'),
      outOfOrder,
      raw('impactStarted'),
      injection.none,
    ),
    rpo: rpo(facts, samples, attrs, injection.injected),
    errorBudget: errorBudget(samples, attrs, raw('impactStarted'), at('recovered')),
  };
}

function rto(
  facts: readonly Fact[],
  attrs: ReportFacts,
  faultEndedAt: number | null,
  recovered: number | null,
  outOfOrder: boolean,
  impact: number | null,
  notInjected: string | null,
): RtoResult {
  let verification: { recovered: boolean } | undefined;
  for (const f of facts) if (f.typed?.kind === 'gameday.recovery') verification = f.typed.detail;
  const objectiveSeconds = attrs.objectives.rtoSeconds;
  const fromImpact = attrs.objectives.rtoFrom === 'impact';
  const base = {
    objectiveSeconds,
    faultEndedAt,
    recoveredAt: recovered,
    definition: fromImpact ? RTO_FROM_IMPACT_DEFINITION : RTO_DEFINITION,
  };
  const unmeasured = (note: string): RtoResult => ({ ...base, achievedSeconds: null, met: null, note });
  // Nothing was injected: there was nothing to recover from, and no time to measure.
  if (attrs.dryRun || notInjected !== null)
    return {
      ...unmeasured(attrs.dryRun ? 'a dry run injects nothing' : 'nothing was injected'),
      faultEndedAt: null,
      recoveredAt: null,
    };
  if (impact === null) return unmeasured('no impact was recorded');
  // The clock's start: when the fault ended, or (a disaster recovered from while it lasts) the impact.
  const start = fromImpact ? impact : faultEndedAt;
  if (start === null) return unmeasured('the fault end was not recorded');
  // Recovering while the fault still lasts is the point of an RTO from the impact: doubts about
  // the fault's end say nothing against it.
  if (outOfOrder && !fromImpact) return unmeasured('moments out of order (see the order check)');
  if (recovered === null) {
    const notRecovered = verification ? !verification.recovered : false;
    return {
      ...base,
      achievedSeconds: null,
      met: notRecovered && objectiveSeconds !== null ? false : null,
      note: notRecovered
        ? 'the steady state was not back by the recovery deadline'
        : 'the steady state was not seen back on the timeline',
    };
  }
  // Back while the fault was still on (the service rode it out): nothing left to recover.
  const achievedSeconds = Math.max(0, recovered - start) / 1000;
  const early = !fromImpact && recovered < start ? 'back before the fault ended' : null;
  return {
    ...base,
    achievedSeconds,
    met: objectiveSeconds === null ? null : achievedSeconds <= objectiveSeconds,
    note:
      objectiveSeconds === null
        ? early
          ? `no RTO objective given; ${early}`
          : 'no RTO objective given'
        : early,
  };
}

function rpo(
  facts: readonly Fact[],
  samples: readonly TimedSample[],
  attrs: ReportFacts,
  injected: (experimentId: string, action: string) => boolean,
): RpoResult {
  const objectiveSeconds = attrs.objectives.rpoSeconds;
  const failover = firstFailover(facts, injected);
  const base = {
    objectiveSeconds,
    failoverAt: failover?.at ?? null,
    failoverEventId: failover?.event.eventId ?? null,
    definition: RPO_DEFINITION,
  };
  if (!failover) return { ...base, achievedSeconds: null, met: null, note: 'no failover recorded' };
  const lagged = samples.filter((s) => s.sample.replicaLagMs !== null);
  // Minute samples are stamped with the minute's start: one that ended by the failover saw only before it.
  const before = lagged.filter((s) => s.minute + MINUTE <= failover.at).at(-1);
  const during = lagged.find((s) => s.minute === minuteOf(failover.at));
  const lagMs = (before ?? during)?.sample.replicaLagMs ?? null;
  if (lagMs === null)
    return { ...base, achievedSeconds: null, met: null, note: 'no replica lag sampled before the failover' };
  const achievedSeconds = lagMs / 1000;
  return {
    ...base,
    achievedSeconds,
    met: objectiveSeconds === null ? null : achievedSeconds <= objectiveSeconds,
    note: objectiveSeconds === null ? 'no RPO objective given' : null,
  };
}

/**
 * The first failover on the timeline: an FIS database failover action running, a DNS failover
 * action started, or an SSM Automation whose document fails over (dated by the remediation action
 * that started it, when on the timeline, since its statuses are polled).
 */
function firstFailover(
  facts: readonly Fact[],
  injected: (experimentId: string, action: string) => boolean,
): Fact | undefined {
  const started = new Map<string, Fact>();
  for (const f of facts) {
    const t = f.typed;
    if (t?.kind === 'remediation.action' && t.detail.outcome === 'started' && t.detail.executionId)
      started.set(t.detail.executionId, f);
  }
  let first: Fact | undefined;
  for (const f of facts) {
    const t = f.typed;
    let found: Fact | undefined;
    if (
      t?.kind === 'fis.action' &&
      t.detail.status === 'running' &&
      /failover/i.test(t.detail.actionId) &&
      injected(t.detail.experimentId, t.detail.action)
    )
      found = f;
    else if (
      t?.kind === 'remediation.action' &&
      t.detail.outcome === 'started' &&
      t.detail.action === 'failover'
    )
      found = f;
    else if (t?.kind === 'ssm.automation' && /failover/i.test(t.detail.document))
      found = started.get(t.detail.executionId) ?? f;
    if (found && (!first || found.at < first.at)) first = found;
  }
  return first;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function errorBudget(
  samples: readonly TimedSample[],
  attrs: ReportFacts,
  impact: number | null,
  recovered: number | null,
): ErrorBudgetResult {
  const slo = attrs.objectives.availabilitySlo;
  const windowSeconds = attrs.objectives.sloWindowSeconds;
  const rates = (keep: (s: TimedSample) => boolean) =>
    samples.flatMap((s) => (keep(s) && s.sample.requestRate !== null ? [s.sample.requestRate] : []));
  let baselineRequestRate = attrs.baselineRequestRate;
  let baselineSource: ErrorBudgetResult['baselineSource'] =
    baselineRequestRate === null ? null : 'attributes';
  if (baselineRequestRate === null && impact !== null) {
    baselineRequestRate = median(rates((s) => s.minute < minuteOf(impact)));
    if (baselineRequestRate !== null) baselineSource = 'samples before impact';
  }
  if (baselineRequestRate === null) {
    baselineRequestRate = median(rates(() => true));
    if (baselineRequestRate !== null) baselineSource = 'all samples';
  }
  const base = {
    slo,
    windowSeconds,
    baselineRequestRate,
    baselineSource,
    formula: ERROR_BUDGET_FORMULA,
  };
  if (impact === null) {
    return {
      ...base,
      allowedErrors: null,
      errorsDuringIncident: null,
      spentPercent: null,
      from: null,
      to: null,
      note: 'impact start not recorded',
    };
  }
  const from = minuteOf(impact);
  const last = samples[samples.length - 1];
  const to = recovered !== null ? minuteOf(recovered) : last ? Math.max(from, last.minute) : from;
  let errors = 0;
  for (const s of samples) {
    if (s.minute < from || s.minute > to) continue;
    const { requestRate, errorRatePercent } = s.sample;
    if (requestRate !== null && errorRatePercent !== null)
      errors += ((requestRate * errorRatePercent) / 100) * 60;
  }
  const allowed =
    slo === null || baselineRequestRate === null
      ? null
      : (1 - slo / 100) * baselineRequestRate * windowSeconds;
  return {
    ...base,
    allowedErrors: allowed === null ? null : roundTo(allowed, 3),
    errorsDuringIncident: roundTo(errors, 3),
    spentPercent: allowed === null || allowed === 0 ? null : roundTo((errors / allowed) * 100, 6),
    from,
    to,
    note:
      slo === null
        ? 'no availability SLO given'
        : baselineRequestRate === null
          ? 'no request rate sampled'
          : null,
  };
}
