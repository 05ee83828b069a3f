import type { Instance } from './world.ts';

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

/** One registered target as DescribeTargetHealth reports it. */
export interface TargetHealth {
  instanceId: string;
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

/** What the target group needs to know about the fleet. */
export interface Fleet {
  readonly def: { availabilityZones: string[] };
  instances(): Instance[];
  instance(id: string): Instance | undefined;
  instanceServing(inst: Instance): boolean;
  azReachable(az: string): boolean;
}

interface Target extends TargetHealth {
  passes: number;
  fails: number;
}

/** Where the load balancer sends new requests. */
export interface Routing {
  targets: Instance[];
  /** True when no target is healthy and the ALB routes to all unhealthy ones (ALB's fail-open). */
  failOpen: boolean;
}

/**
 * An ALB target group: which instances are registered and what the load balancer believes about
 * their health. Instances register when they reach `running` (as an Auto Scaling group registers
 * them) and start `initial`; a health-check round every `intervalSeconds` moves a target to
 * `unhealthy` after `unhealthyThreshold` consecutive failures and to `healthy` after
 * `healthyThreshold` consecutive successes. A terminated instance is deregistered; one the
 * Auto Scaling group terminates drains first.
 */
export class TargetGroup {
  private readonly fleet: Fleet;
  private readonly settings: HealthCheckSettings;
  private readonly targets = new Map<string, Target>();

  constructor(fleet: Fleet, settings: HealthCheckSettings) {
    this.fleet = fleet;
    this.settings = settings;
    // The world starts in steady state: its first instances have long passed their health checks.
    for (const inst of fleet.instances()) {
      if (inst.state === 'running' && fleet.instanceServing(inst)) {
        this.targets.set(inst.id, {
          ...healthy(inst),
          passes: settings.healthyThreshold,
          fails: 0,
        });
      }
    }
  }

  /** Registers instances that have reached `running` and drops the ones that are terminated. */
  sync(): void {
    for (const inst of this.fleet.instances()) {
      const known = this.targets.get(inst.id);
      if (inst.state === 'terminated') {
        if (known) this.targets.delete(inst.id);
      } else if (!known && inst.state === 'running') {
        this.targets.set(inst.id, {
          instanceId: inst.id,
          az: inst.az,
          state: 'initial',
          reason: 'Elb.InitialHealthChecking',
          description: 'Initial health checks in progress',
          passes: 0,
          fails: 0,
        });
      }
    }
  }

  /** Stops routing new requests to the instance (the Auto Scaling group is about to terminate it). */
  deregister(instanceId: string): void {
    const t = this.targets.get(instanceId);
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
      const inst = this.fleet.instance(t.instanceId);
      if (inst && this.fleet.instanceServing(inst)) {
        t.fails = 0;
        t.passes += 1;
        if (t.state !== 'healthy' && t.passes >= healthyThreshold) Object.assign(t, healthy(inst));
      } else {
        t.passes = 0;
        t.fails += 1;
        if (t.state === 'unhealthy' || t.fails >= unhealthyThreshold) {
          // A stopped instance or a blocked subnet never answers (timeout); a booting app refuses.
          const timeout = inst?.state !== 'running' || !this.fleet.azReachable(inst.az);
          t.state = 'unhealthy';
          t.reason = timeout ? 'Target.Timeout' : 'Target.FailedHealthChecks';
          t.description = timeout ? 'Request timed out' : 'Health checks failed';
        }
      }
    }
  }

  /** Targets the ALB sends new requests to: the healthy ones, or every unhealthy one if none is healthy. */
  routing(): Routing {
    const pick = (state: TargetHealthState) =>
      [...this.targets.values()]
        .filter((t) => t.state === state)
        .map((t) => this.fleet.instance(t.instanceId))
        .filter((i): i is Instance => i !== undefined);
    const healthyTargets = pick('healthy');
    if (healthyTargets.length > 0) return { targets: healthyTargets, failOpen: false };
    return { targets: pick('unhealthy'), failOpen: true };
  }

  state(instanceId: string): TargetHealthState | undefined {
    return this.targets.get(instanceId)?.state;
  }

  view(): TargetHealthView {
    const byAz: Record<string, HostCounts> = {};
    for (const az of this.fleet.def.availabilityZones) byAz[az] = emptyCounts();
    const total = emptyCounts();
    const targets: TargetHealth[] = [];
    for (const t of this.targets.values()) {
      const counts = byAz[t.az] ?? emptyCounts();
      byAz[t.az] = counts;
      counts[t.state] += 1;
      total[t.state] += 1;
      targets.push({
        instanceId: t.instanceId,
        az: t.az,
        state: t.state,
        reason: t.reason,
        description: t.description,
      });
    }
    return { ...total, targets, byAz };
  }
}

function healthy(inst: Instance): TargetHealth {
  return { instanceId: inst.id, az: inst.az, state: 'healthy', reason: undefined, description: undefined };
}

function emptyCounts(): HostCounts {
  return { healthy: 0, unhealthy: 0, initial: 0, draining: 0 };
}
