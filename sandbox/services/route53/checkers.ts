import type { TimerHandle } from '../../clock.ts';
import type { SandboxCore } from '../../context.ts';
import type { HealthCheckScheduler } from './context.ts';
import { CHECKER_REGIONS } from './health-check-config.ts';
import type { CheckerState, HealthCheck, HealthCheckConfig } from './model.ts';
import { endpointRegion } from './names.ts';
import type { Route53State } from './state.ts';

/** Two checkers per region, at addresses from Route 53's published health-checker ranges. */
const CHECKER_ADDRESSES: Record<(typeof CHECKER_REGIONS)[number], readonly [string, string]> = {
  'us-east-1': ['107.23.255.11', '54.243.31.203'],
  'us-west-1': ['54.183.255.139', '54.241.32.75'],
  'us-west-2': ['54.244.52.203', '54.245.168.11'],
  'eu-west-1': ['54.228.16.11', '176.34.159.203'],
  'ap-southeast-1': ['54.251.31.139', '54.255.254.203'],
  'ap-southeast-2': ['54.252.79.139', '54.252.254.203'],
  'ap-northeast-1': ['54.248.220.11', '54.250.253.203'],
  'sa-east-1': ['177.71.207.139', '54.232.40.75'],
};

/**
 * Route 53 considers an endpoint healthy when more than 18 % of its health checkers report it
 * healthy.
 */
const HEALTHY_CHECKER_SHARE = 0.18;

const MINUTE_MS = 60_000;

export function newCheckers(config: HealthCheckConfig): CheckerState[] {
  if (config.type === 'CALCULATED' || config.type === 'CLOUDWATCH_METRIC') return [];
  const regions = config.regions ?? [...CHECKER_REGIONS];
  return regions.flatMap((region) =>
    (CHECKER_ADDRESSES[region as keyof typeof CHECKER_ADDRESSES] ?? []).map((ipAddress) => ({
      region,
      ipAddress,
      healthy: true,
      streak: 0,
    })),
  );
}

interface MinuteSamples {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Route 53's health checkers on the virtual clock. Each checker probes the endpoint once per
 * RequestInterval, the checkers of one health check spread evenly over the interval; a checker
 * changes its verdict after FailureThreshold consecutive results that disagree with it. The
 * endpoint's answer comes from the world (`endpointHealthy` of the region its name is in).
 * Every minute the status of each health check is published as `AWS/Route53 HealthCheckStatus`.
 */
export class HealthCheckEngine implements HealthCheckScheduler {
  private readonly core: SandboxCore;
  private readonly state: Route53State;
  private readonly afterProbe: () => void;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly samples = new Map<string, MinuteSamples>();

  constructor(core: SandboxCore, state: Route53State, afterProbe: () => void) {
    this.core = core;
    this.state = state;
    this.afterProbe = afterProbe;
  }

  /** Schedules every known health check and the per-minute metric. */
  start(): void {
    for (const check of this.state.healthChecks.values()) this.scheduled(check);
    const now = this.core.clock.now();
    const nextMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    this.core.clock.at(nextMinute, () => {
      this.publishMinute();
      this.core.clock.every(MINUTE_MS, () => this.publishMinute());
    });
  }

  scheduled(check: HealthCheck): void {
    this.unscheduled(check);
    if (check.checkers.length === 0) return;
    // A new health check gets a first report from every checker at once, so its status is known.
    if (check.checkers.every((c) => c.lastReport === undefined)) {
      for (let i = 0; i < check.checkers.length; i++) this.probeNext(check);
    }
    const step = (check.config.requestInterval * 1000) / check.checkers.length;
    this.timers.set(
      check.id,
      this.core.clock.every(step, () => {
        this.probeNext(check);
        this.afterProbe();
      }),
    );
  }

  unscheduled(check: HealthCheck): void {
    this.core.clock.cancel(this.timers.get(check.id));
    this.timers.delete(check.id);
    this.samples.delete(check.id);
  }

  isHealthy(check: HealthCheck): boolean {
    return this.statusOf(check, 0);
  }

  /** What each checker last saw, as GetHealthCheckStatus reports it. */
  observations(
    check: HealthCheck,
  ): { region?: string; ipAddress?: string; status: string; checkedAt: number }[] {
    if (check.checkers.length === 0) {
      const healthy = this.isHealthy(check);
      return [
        {
          status: healthy
            ? 'Success: the health check is healthy'
            : `Failure: the health check is unhealthy (${check.config.type === 'CALCULATED' ? 'too few healthy child health checks' : 'the CloudWatch alarm is in ALARM'})`,
          checkedAt: this.core.clock.now(),
        },
      ];
    }
    return check.checkers.flatMap((c) =>
      c.lastReport
        ? [
            {
              region: c.region,
              ipAddress: c.ipAddress,
              status: c.lastReport.status,
              checkedAt: c.lastReport.checkedAt,
            },
          ]
        : [],
    );
  }

  /** Each checker's last failed probe (checks with no checkers of their own have none). */
  lastFailures(
    check: HealthCheck,
  ): { region: string; ipAddress: string; status: string; checkedAt: number }[] {
    return check.checkers.flatMap((c) =>
      c.lastFailure ? [{ region: c.region, ipAddress: c.ipAddress, ...c.lastFailure }] : [],
    );
  }

  private probeNext(check: HealthCheck): void {
    const checker = check.checkers[check.nextChecker % check.checkers.length];
    check.nextChecker = (check.nextChecker + 1) % check.checkers.length;
    // A disabled health check sends no requests; Route 53 just treats it as healthy.
    if (!checker || check.config.disabled) {
      this.sample(check);
      return;
    }
    const result = this.probe(check.config);
    if (result.ok === checker.healthy) {
      checker.streak = 0;
    } else {
      checker.streak += 1;
      if (checker.streak >= check.config.failureThreshold) {
        checker.healthy = result.ok;
        checker.streak = 0;
      }
    }
    checker.lastReport = { status: result.status, checkedAt: this.core.clock.now() };
    if (!result.ok) checker.lastFailure = checker.lastReport;
    this.sample(check);
  }

  /** One request from one checker: the world says whether the service answers at that endpoint. */
  private probe(config: HealthCheckConfig): { ok: boolean; status: string } {
    const region = endpointRegion(config.fullyQualifiedDomainName);
    // Endpoints outside the simulated world (an IP address, another domain) are taken to be up.
    const up = region === undefined || this.core.world.endpointHealthy(region);
    if (config.type === 'TCP') {
      return up
        ? { ok: true, status: 'Success: TCP connection established' }
        : {
            ok: false,
            status: 'Failure: Connection timed out. The endpoint or the internet connection is down.',
          };
    }
    return up
      ? { ok: true, status: 'Success: HTTP Status Code 200, OK' }
      : { ok: false, status: 'Failure: HTTP Status Code 503, Service Temporarily Unavailable' };
  }

  private statusOf(check: HealthCheck, depth: number): boolean {
    const c = check.config;
    if (c.disabled) return true;
    return c.inverted ? !this.baseStatus(check, depth) : this.baseStatus(check, depth);
  }

  private baseStatus(check: HealthCheck, depth: number): boolean {
    const c = check.config;
    if (c.type === 'CALCULATED') {
      // Children cannot be calculated checks of their parent, but a cycle made by updates must not loop.
      if (depth > 8) return false;
      const healthy = (c.childHealthChecks ?? []).filter((id) => {
        const childCheck = this.state.healthChecks.get(id);
        return childCheck !== undefined && this.statusOf(childCheck, depth + 1);
      }).length;
      return healthy >= (c.healthThreshold ?? 0);
    }
    if (c.type === 'CLOUDWATCH_METRIC') return this.alarmStatus(check);
    const healthy = check.checkers.filter((x) => x.healthy).length;
    return healthy / check.checkers.length > HEALTHY_CHECKER_SHARE;
  }

  private alarmStatus(check: HealthCheck): boolean {
    const alarm = check.config.alarmIdentifier!;
    const arn = `arn:aws:cloudwatch:${alarm.region}:${this.core.world.accountId}:alarm:${alarm.name}`;
    const state = this.core.alarms.stateOf(arn);
    if (state === 'OK' || state === 'ALARM') {
      check.lastKnownHealthy = state === 'OK';
      return check.lastKnownHealthy;
    }
    const fallback = check.config.insufficientDataHealthStatus ?? 'LastKnownStatus';
    if (fallback === 'Healthy') return true;
    if (fallback === 'Unhealthy') return false;
    return check.lastKnownHealthy;
  }

  private sample(check: HealthCheck): void {
    const value = this.isHealthy(check) ? 1 : 0;
    const s = this.samples.get(check.id);
    if (!s) {
      this.samples.set(check.id, { count: 1, sum: value, min: value, max: value });
      return;
    }
    s.count += 1;
    s.sum += value;
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
  }

  /** The datapoint of the minute that just ended, for every health check. */
  private publishMinute(): void {
    const minuteStart = Math.floor(this.core.clock.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    for (const check of this.state.healthChecks.values()) {
      if (!this.samples.has(check.id)) this.sample(check);
      const s = this.samples.get(check.id)!;
      this.core.metrics.put(
        {
          namespace: 'AWS/Route53',
          metricName: 'HealthCheckStatus',
          dimensions: { HealthCheckId: check.id },
        },
        { timestamp: minuteStart, sampleCount: s.count, sum: s.sum, min: s.min, max: s.max, unit: 'None' },
      );
    }
    this.samples.clear();
    this.afterProbe();
  }
}
