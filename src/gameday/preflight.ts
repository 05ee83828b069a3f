import type { ExperimentSpec } from '../experiments/schema.ts';
import { describeAlarmStates } from '../observe/alarms.ts';
import { readKillSwitch } from '../observe/kill-switch.ts';
import { evaluateSteadyState } from '../observe/steady-state.ts';
import type { WatchedAlarm } from '../report/attributes.ts';
import type * as z from '../zod.ts';
import { type BlastRadius, measureBlastRadius } from './blast-radius.ts';
import type { GameDayDeps } from './deps.ts';
import { activeTagged, TAG } from './fis-experiments.ts';
import { LEASE_MS, takeLease } from './lease.ts';
import { eventIds } from './record.ts';
import type { CheckResult, GameDayState, preflightResult } from './state.ts';
import { gameDayStep } from './step.ts';
import { nothingCounted, uncountedText } from './uncounted.ts';
import { checkWindows } from './window.ts';

export type PreflightResult = z.infer<typeof preflightResult>;

/**
 * The stop conditions' checks, and the metric alarms the game day watches (its hypothesis's alarms
 * and stop conditions, one DescribeAlarms for both) with their thresholds, for the report's charts.
 */
async function stopConditionChecks(
  spec: ExperimentSpec,
  deps: GameDayDeps<'cloudwatch'>,
): Promise<{ checks: CheckResult[]; watched: WatchedAlarm[] }> {
  const names = [...new Set([...spec.stopConditions, ...spec.hypothesis.alarms])];
  const states = await describeAlarmStates(deps.aws.cloudwatch, names);
  const watched: WatchedAlarm[] = [];
  for (const name of names) {
    const metric = states.get(name)?.metric;
    if (metric) watched.push({ name, ...metric, stopCondition: spec.stopConditions.includes(name) });
  }
  const checks = spec.stopConditions.map((name, i): CheckResult => {
    const s = states.get(name);
    const check = `stop-condition:${name}`;
    if (!s)
      return { name: check, ok: false, detail: `stopConditions[${i}]: no CloudWatch alarm named '${name}'` };
    if (s.state === 'ALARM') {
      return {
        name: check,
        ok: false,
        detail: `stop condition ${name} is in ALARM: FIS would stop the experiment at once`,
      };
    }
    return { name: check, ok: true, detail: `stop condition ${name} exists (${s.state})` };
  });
  return { checks, watched };
}

async function exclusiveCheck(state: GameDayState, deps: GameDayDeps<'fis'>): Promise<CheckResult> {
  const service = state.experiment.service;
  const others = (await activeTagged(deps.aws.fis, TAG.service, service)).filter(
    (e) => e.tags?.[TAG.gameday] !== state.gamedayId,
  );
  if (others.length === 0) {
    return { name: 'exclusive', ok: true, detail: `no other experiment is running on ${service}` };
  }
  const list = others
    .map(
      (e) =>
        `${e.id} (${e.state?.status}${e.tags?.[TAG.gameday] ? `, game day ${e.tags[TAG.gameday]}` : ''})`,
    )
    .join(', ');
  return { name: 'exclusive', ok: false, detail: `another experiment is running on ${service}: ${list}` };
}

async function leaseCheck(state: GameDayState, deps: GameDayDeps<never>): Promise<CheckResult> {
  const service = state.experiment.service;
  if (state.dryRun) {
    return {
      name: 'lease',
      ok: true,
      detail: `dry run: nothing is injected, so no lease on ${service} is taken`,
    };
  }
  const lease = await takeLease(deps.safety, service, state.gamedayId);
  return lease.held
    ? {
        name: 'lease',
        ok: true,
        detail: `this game day holds the lease on ${service} (renewed every minute, ${LEASE_MS / 60_000} min at a time)`,
      }
    : {
        name: 'lease',
        ok: false,
        detail: `game day ${lease.holder} holds the lease on ${service}: one game day at a time per service`,
      };
}

/**
 * The blast-radius guardrail. A dry run injects nothing: its point is to show what a run would
 * hit, so it reports what the guardrail would refuse instead of being refused.
 */
export function blastRadiusCheck(
  spec: ExperimentSpec,
  radius: BlastRadius,
  opts: { dryRun?: boolean } = {},
): CheckResult {
  const check = guardrailCheck(spec, radius);
  return opts.dryRun && !check.ok
    ? { name: check.name, ok: true, detail: `dry run: a real run would be refused: ${check.detail}` }
    : check;
}

function guardrailCheck(spec: ExperimentSpec, radius: BlastRadius): CheckResult {
  const max = spec.guardrails.maxBlastRadiusPercent;
  const uncounted = uncountedText(radius);
  if (nothingCounted(radius)) {
    // A guardrail that cannot be measured must not pass as if it had been: only "no limit" does.
    const what = `the blast radius is counted in running ${spec.service} instances, and the fault targets none: not counted: ${uncounted}`;
    return max >= 100
      ? { name: 'blast-radius', ok: true, detail: `${what} (no limit set)` }
      : {
          name: 'blast-radius',
          ok: false,
          detail: `guardrails.maxBlastRadiusPercent: ${max}% cannot be checked: ${what}; set it to 100 to run without that guardrail`,
        };
  }
  const what = `the fault would hit ${radius.instancesHit} of ${radius.instancesTotal} running ${spec.service} instances (${radius.percent}%)`;
  const also = uncounted ? `; not counted: ${uncounted}` : '';
  return radius.percent <= max
    ? { name: 'blast-radius', ok: true, detail: `${what}, within the ${max}% allowed${also}` }
    : {
        name: 'blast-radius',
        ok: false,
        detail: `guardrails.maxBlastRadiusPercent: ${what}, over the ${max}% allowed${also}`,
      };
}

/**
 * Preflight: may this game day start now? Kill switch off, steady state holding, stop-condition
 * alarms in place, nothing else running on the service, inside an allowed window, blast radius
 * within the guardrail. Every check lands on the timeline; a refusal closes the incident as
 * `refused` and names each reason (with the experiment field it comes from). Nothing is created.
 */
export const preflight = gameDayStep<
  GameDayState,
  PreflightResult,
  'fis' | 'ssm' | 'cloudwatch' | 'route53' | 'ec2'
>({ step: 'Preflight' }, async (state, deps, { timeline }) => {
  const spec = state.experiment;
  const now = deps.now();
  const [killSwitch, steady, stopConditions, exclusive, radius] = await Promise.all([
    readKillSwitch(deps.aws.ssm, deps.env.killSwitchParameter),
    evaluateSteadyState(spec.hypothesis, deps.aws, now),
    stopConditionChecks(spec, deps),
    exclusiveCheck(state, deps),
    measureBlastRadius(deps.aws.ec2, spec),
  ]);
  const checks: CheckResult[] = [
    { name: 'kill-switch', ok: !killSwitch.engaged, detail: killSwitch.detail },
    ...steady.checks,
    ...stopConditions.checks,
    exclusive,
    { name: 'window', ...checkWindows(spec.guardrails.windows, now) },
    blastRadiusCheck(spec, radius, { dryRun: state.dryRun }),
  ];
  // Last, and only for a game day that may otherwise start: the lease makes "nothing else running
  // on the service" hold under a race, which two ListExperiments at the same moment cannot.
  if (checks.every((c) => c.ok)) checks.push(await leaseCheck(state, deps));
  for (const c of checks) {
    await timeline.record('gameday.preflight', {
      eventId: eventIds.preflight(c.name),
      occurredAt: now,
      summary: `preflight ${c.name}: ${c.ok ? 'ok' : 'FAILED'}, ${c.detail}`,
      detail: { name: c.name, ok: c.ok, detail: c.detail },
    });
  }
  const reasons = checks.filter((c) => !c.ok).map((c) => `${spec.name}: ${c.detail}`);
  if (reasons.length > 0) {
    await timeline.record('gameday.refused', {
      eventId: eventIds.refused(),
      occurredAt: now,
      summary: `game day refused: ${reasons.join('; ')}`,
      detail: { reasons },
    });
    await deps.store.updateIncident(state.gamedayId, {
      status: 'refused',
      closedAt: now.toISOString(),
      attributes: { refusedBecause: reasons },
    });
  }
  if (reasons.length === 0 && stopConditions.watched.length > 0) {
    await deps.store.updateIncident(state.gamedayId, { attributes: { alarms: stopConditions.watched } });
  }
  return {
    ok: reasons.length === 0,
    checks,
    reasons,
    blastRadius: radius,
    // The health checks as found, so observations need not look them up again.
    watch: { healthChecks: steady.healthChecks },
  };
});
