import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { ExperimentSpec } from '../experiments/schema.ts';
import type { CheckResult } from '../gameday/state.ts';
import { describeAlarmStates } from './alarms.ts';
import { healthCheckHealthy, resolveHealthChecks } from './health-checks.ts';
import { describeMetric, lastCompleteMinute, latest, MINUTE_MS, readMinutes } from './metric-query.ts';

export type Hypothesis = ExperimentSpec['hypothesis'];

export interface SteadyState {
  /** One check per alarm, health check and metric bound of the hypothesis, in that order. */
  checks: CheckResult[];
  /** Health check as the hypothesis names it → its id and status, for the minute-by-minute watch. */
  healthChecks: Record<string, { id: string; healthy: boolean }>;
}

/**
 * The steady-state hypothesis, evaluated now: each alarm exists and is OK, each health check is
 * healthy, each metric bound held over the last complete minute. Preflight asks it before the
 * fault, VerifyRecovery after; a check names the experiment field it comes from.
 */
export async function evaluateSteadyState(
  hypothesis: Hypothesis,
  aws: { cloudwatch: CloudWatchClient; route53: Route53Client },
  now: Date,
): Promise<SteadyState> {
  const [alarms, health, metrics] = await Promise.all([
    alarmChecks(hypothesis.alarms, aws.cloudwatch),
    healthChecks(hypothesis.healthChecks, aws.route53),
    metricChecks(hypothesis.metrics, aws.cloudwatch, now),
  ]);
  return { checks: [...alarms, ...health.checks, ...metrics], healthChecks: health.found };
}

async function alarmChecks(names: readonly string[], cloudwatch: CloudWatchClient): Promise<CheckResult[]> {
  const states = await describeAlarmStates(cloudwatch, names);
  return names.map((name, i) => {
    const s = states.get(name);
    const check = `alarm:${name}`;
    if (!s) {
      return {
        name: check,
        ok: false,
        detail: `hypothesis.alarms[${i}]: no CloudWatch alarm named '${name}'`,
      };
    }
    return s.state === 'OK'
      ? { name: check, ok: true, detail: `alarm ${name} is OK` }
      : { name: check, ok: false, detail: `alarm ${name} is ${s.state}, not OK: ${s.reason}` };
  });
}

async function healthChecks(
  refs: readonly string[],
  route53: Route53Client,
): Promise<{ checks: CheckResult[]; found: SteadyState['healthChecks'] }> {
  const ids = await resolveHealthChecks(route53, refs);
  const found: SteadyState['healthChecks'] = {};
  const checks: CheckResult[] = [];
  for (const [i, ref] of refs.entries()) {
    const name = `health-check:${ref}`;
    const id = ids.get(ref);
    if (!id) {
      checks.push({
        name,
        ok: false,
        detail: `hypothesis.healthChecks[${i}]: no Route 53 health check has the id or Name tag '${ref}'`,
      });
      continue;
    }
    const healthy = await healthCheckHealthy(route53, id);
    found[ref] = { id, healthy };
    const label = ref === id ? `health check ${id}` : `health check ${ref} (${id})`;
    checks.push({ name, ok: healthy, detail: `${label} is ${healthy ? 'healthy' : 'unhealthy'}` });
  }
  return { checks, found };
}

async function metricChecks(
  bounds: Hypothesis['metrics'],
  cloudwatch: CloudWatchClient,
  now: Date,
): Promise<CheckResult[]> {
  const end = lastCompleteMinute(now) + MINUTE_MS;
  // Two minutes back: the last complete minute's datapoint may still be on its way.
  const series = await readMinutes(
    cloudwatch,
    Object.fromEntries(bounds.map((b, i) => [String(i), b])),
    end - 2 * MINUTE_MS,
    end,
  );
  return bounds.map((b, i) => {
    const name = `metric:${b.name}`;
    const point = latest(series[String(i)]!);
    const range = [b.min !== undefined ? `≥ ${b.min}` : '', b.max !== undefined ? `≤ ${b.max}` : '']
      .filter(Boolean)
      .join(' and ');
    if (!point) {
      return {
        name,
        ok: false,
        detail: `hypothesis.metrics[${i}] (${b.name}): no datapoint of ${describeMetric(b)} in the last two minutes`,
      };
    }
    const ok = (b.min === undefined || point.value >= b.min) && (b.max === undefined || point.value <= b.max);
    // An instant the timeline's readers show in their own zone (src/report/event-text.ts).
    const at = new Date(point.minute).toISOString();
    return {
      name,
      ok,
      detail: `${b.name} was ${round(point.value)} in the minute of ${at} (must be ${range})`,
    };
  });
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
