export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

/** One registered target as DescribeTargetHealth reports it. */
export interface TargetHealth {
  /** The target's id: an instance id, or an ECS task's (whose IP the target group registers). */
  id: string;
  az: string;
  state: TargetHealthState;
  /** DescribeTargetHealth's `Reason` code (undefined while healthy). */
  reason: string | undefined;
  description: string | undefined;
}

export interface HostCounts {
  healthy: number;
  unhealthy: number;
  initial: number;
  draining: number;
}

/** The load balancer's view of its targets, overall and per AZ. */
export interface TargetHealthView extends HostCounts {
  targets: TargetHealth[];
  byAz: Record<string, HostCounts>;
}

export interface HealthCheckSettings {
  intervalSeconds: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
}

/** Anything a target group can register: an EC2 instance, an ECS task. */
export interface FleetTarget {
  readonly id: string;
  readonly az: string;
}

/** What the target group needs to know about the fleet behind it. */
export interface Fleet<T extends FleetTarget> {
  readonly availabilityZones: readonly string[];
  /** Every target the fleet has ever had that is not gone for good. */
  members(): T[];
  member(id: string): T | undefined;
  /** Up and registrable: an instance `running`, a task `RUNNING`. */
  isUp(t: T): boolean;
  /** Gone for good (terminated, stopped task): deregistered. */
  isGone(t: T): boolean;
  /** Passes a health check: its application answers. */
  serving(t: T): boolean;
  /** Answers a connection at all; one that does not times out, one that does but is not serving refuses. */
  answers(t: T): boolean;
  /** AZs a zonal shift moves the load balancer's traffic away from. */
  shiftedAzs(): readonly string[];
}

interface Target extends TargetHealth {
  passes: number;
  fails: number;
}

/** Where the load balancer sends new requests. */
export interface Routing<T> {
  targets: T[];
  /** True when no target is healthy and the ALB routes to all unhealthy ones (ALB's fail-open). */
  failOpen: boolean;
}

/**
 * An ALB target group: which targets are registered and what the load balancer believes about
 * their health. Targets register when they are up (as an Auto Scaling group or an ECS service
 * registers them) and start `initial`; a health-check round every `intervalSeconds` moves a target
 * to `unhealthy` after `unhealthyThreshold` consecutive failures and to `healthy` after
 * `healthyThreshold` consecutive successes. A target gone for good is deregistered; one its group
 * is about to replace drains first.
 */
export class TargetGroup<T extends FleetTarget> {
  private readonly fleet: Fleet<T>;
  private readonly settings: HealthCheckSettings;
  private readonly targets = new Map<string, Target>();

  constructor(fleet: Fleet<T>, settings: HealthCheckSettings) {
    this.fleet = fleet;
    this.settings = settings;
    // The world starts in steady state: its first targets have long passed their health checks.
    for (const t of fleet.members()) {
      if (fleet.isUp(t) && fleet.serving(t)) {
        this.targets.set(t.id, { ...healthy(t), passes: settings.healthyThreshold, fails: 0 });
      }
    }
  }

  /** Registers targets that are up and drops the ones that are gone. */
  sync(): void {
    for (const m of this.fleet.members()) {
      const known = this.targets.get(m.id);
      if (this.fleet.isGone(m)) {
        if (known) this.targets.delete(m.id);
      } else if (!known && this.fleet.isUp(m)) {
        this.targets.set(m.id, {
          id: m.id,
          az: m.az,
          state: 'initial',
          reason: 'Elb.InitialHealthChecking',
          description: 'Initial health checks in progress',
          passes: 0,
          fails: 0,
        });
      }
    }
    for (const id of this.targets.keys()) {
      const m = this.fleet.member(id);
      if (!m || this.fleet.isGone(m)) this.targets.delete(id);
    }
  }

  /** Stops routing new requests to the target (its group is about to replace it). */
  deregister(id: string): void {
    const t = this.targets.get(id);
    if (!t) return;
    t.state = 'draining';
    t.reason = 'Target.DeregistrationInProgress';
    t.description = 'Target deregistration is in progress';
  }

  /** One round of health checks against every registered target. */
  checkHealth(): void {
    this.sync();
    const { healthyThreshold, unhealthyThreshold } = this.settings;
    for (const t of this.targets.values()) {
      if (t.state === 'draining') continue;
      const m = this.fleet.member(t.id);
      if (m && this.fleet.serving(m)) {
        t.fails = 0;
        t.passes += 1;
        if (t.state !== 'healthy' && t.passes >= healthyThreshold) Object.assign(t, healthy(m));
      } else {
        t.passes = 0;
        t.fails += 1;
        if (t.state === 'unhealthy' || t.fails >= unhealthyThreshold) {
          // A stopped host, a blocked subnet or a hung disk never answers (timeout); a booting app refuses.
          const timeout = !m || !this.fleet.answers(m);
          t.state = 'unhealthy';
          t.reason = timeout ? 'Target.Timeout' : 'Target.FailedHealthChecks';
          t.description = timeout ? 'Request timed out' : 'Health checks failed';
        }
      }
    }
  }

  /**
   * Targets the ALB sends new requests to: the healthy ones, or every unhealthy one if none is
   * healthy; never those in an AZ a zonal shift has moved traffic away from.
   */
  routing(): Routing<T> {
    const shifted = this.fleet.shiftedAzs();
    const pick = (state: TargetHealthState) =>
      [...this.targets.values()]
        .filter((t) => t.state === state && !shifted.includes(t.az))
        .map((t) => this.fleet.member(t.id))
        .filter((m): m is T => m !== undefined);
    const healthyTargets = pick('healthy');
    if (healthyTargets.length > 0) return { targets: healthyTargets, failOpen: false };
    return { targets: pick('unhealthy'), failOpen: true };
  }

  state(id: string): TargetHealthState | undefined {
    return this.targets.get(id)?.state;
  }

  view(): TargetHealthView {
    const byAz: Record<string, HostCounts> = {};
    for (const az of this.fleet.availabilityZones) byAz[az] = emptyCounts();
    const total = emptyCounts();
    const targets: TargetHealth[] = [];
    for (const t of this.targets.values()) {
      const counts = byAz[t.az] ?? emptyCounts();
      byAz[t.az] = counts;
      counts[t.state] += 1;
      total[t.state] += 1;
      targets.push({ id: t.id, az: t.az, state: t.state, reason: t.reason, description: t.description });
    }
    return { ...total, targets, byAz };
  }
}

function healthy(t: FleetTarget): TargetHealth {
  return { id: t.id, az: t.az, state: 'healthy', reason: undefined, description: undefined };
}

function emptyCounts(): HostCounts {
  return { healthy: 0, unhealthy: 0, initial: 0, draining: 0 };
}
