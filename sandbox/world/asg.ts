import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { RandomStream } from '../rng.ts';
import type { TargetGroup } from './alb.ts';
import type { Instance, StateChange } from './instance.ts';
import type { WorldDefinition } from './schema.ts';

export type AutoScalingSettings = NonNullable<WorldDefinition['autoScaling']>;

/** DescribeAutoScalingInstances' lifecycle states that the simulation produces. */
export type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated';

export interface AutoScalingInstance {
  instanceId: string;
  az: string;
  lifecycleState: LifecycleState;
  healthStatus: 'Healthy' | 'Unhealthy';
  instanceType: string;
  launchTime: number;
}

/** The group as DescribeAutoScalingGroups shows it. */
export interface AutoScalingGroupView {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  healthCheckType: 'EC2' | 'ELB';
  availabilityZones: string[];
  /** Instances in `InService`. */
  inService: number;
  instances: AutoScalingInstance[];
}

/** What the group needs from the world. */
export interface AsgFleet {
  readonly def: WorldDefinition;
  instances(): Instance[];
  instance(id: string): Instance | undefined;
  azReachable(az: string): boolean;
  launchInstance(
    az: string,
    initial?: 'pending' | 'running',
    alreadyBooted?: boolean,
    lifecycle?: Instance['lifecycle'],
  ): Instance;
  terminateInstances(ids: string[], reason?: string): StateChange[];
  arn(service: string, resource: string): string;
  now(): number;
}

export interface AsgDeps {
  fleet: AsgFleet;
  targets: TargetGroup<Instance>;
  clock: VirtualClock;
  bus: EventBus;
  /** Seeded stream for the group's own delays, so they do not shift the world's other timings. */
  rng: RandomStream;
}

/** How soon the group tries again when no AZ can take a launch. */
const RETRY_LAUNCH_MS = 10_000;

/** An insufficient-capacity fault on the group's launches (FIS aws:ec2:asg-insufficient-instance-capacity-error). */
interface CapacityError {
  azs: ReadonlySet<string>;
  /** Share (1–100) of launches into those AZs that fail. */
  percentage: number;
}

/**
 * An EC2 Auto Scaling group that keeps `instancesPerAz × AZs` instances. Every `check()` it looks
 * for instances that are gone (shutting down or terminated) or, with `replaceUnhealthy`, failing
 * its health check; `replacementDelaySeconds` later it terminates such an instance (if it is still
 * unhealthy) and launches a replacement in the reachable AZ that has the fewest instances.
 */
export class AutoScalingGroup {
  readonly name: string;
  readonly arn: string;
  readonly desired: number;
  private readonly settings: AutoScalingSettings;
  private readonly deps: AsgDeps;
  /** Instances whose replacement is scheduled or done: each is replaced once. */
  private readonly replacing = new Set<string>();
  /** Instances the group is terminating, with the cause its activity reports once they are gone. */
  private readonly terminating = new Map<string, string>();
  private activities = 0;
  private readonly capacityErrors = new Set<CapacityError>();

  constructor(settings: AutoScalingSettings, deps: AsgDeps) {
    this.settings = settings;
    this.deps = deps;
    this.name = settings.name;
    const def = deps.fleet.def;
    this.desired = def.service.instancesPerAz * def.availabilityZones.length;
    this.arn = deps.fleet.arn(
      'autoscaling',
      `autoScalingGroup:${uuidFor(`${def.accountId}/${settings.name}`)}:autoScalingGroupName/${settings.name}`,
    );
  }

  private members(): Instance[] {
    return this.deps.fleet.instances().filter((i) => i.autoScalingGroup === this.name);
  }

  /** The group's health check: does this instance need replacing? */
  private needsReplacement(inst: Instance): boolean {
    if (inst.state === 'shutting-down' || inst.state === 'terminated') return true;
    if (!this.settings.replaceUnhealthy) return false;
    if (inst.state === 'stopping' || inst.state === 'stopped') return true;
    return this.settings.healthCheckType === 'ELB' && this.deps.targets.state(inst.id) === 'unhealthy';
  }

  check(): void {
    for (const [id, cause] of this.terminating) {
      const inst = this.deps.fleet.instance(id);
      if (inst?.state !== 'terminated') continue;
      this.terminating.delete(id);
      this.publish('EC2 Instance Terminate Successful', inst, {
        Description: `Terminating EC2 instance: ${id}`,
        Cause: cause,
      });
    }
    for (const inst of this.members()) {
      if (this.replacing.has(inst.id) || !this.needsReplacement(inst)) continue;
      this.replacing.add(inst.id);
      const delay = Math.round(this.deps.rng.between(...this.settings.replacementDelaySeconds) * 1000);
      this.deps.clock.after(delay, () => this.replace(inst));
    }
  }

  /**
   * Launches into `azs` fail with InsufficientInstanceCapacity (`percentage` of them, drawn per
   * launch) until the returned function ends the fault; the group then launches elsewhere.
   */
  injectCapacityError(azs: readonly string[], percentage: number): () => void {
    const fault: CapacityError = { azs: new Set(azs), percentage };
    this.capacityErrors.add(fault);
    return () => {
      this.capacityErrors.delete(fault);
    };
  }

  /**
   * Launches one instance into the first of `azs` that has capacity, as the group does: a launch
   * that an insufficient-capacity fault refuses is recorded as an unsuccessful activity, and the
   * group tries the next AZ. Undefined when none took it.
   */
  launchInto(azs: readonly string[], lifecycle: Instance['lifecycle'] = 'on-demand'): Instance | undefined {
    for (const az of azs) {
      const fault = [...this.capacityErrors].find((f) => f.azs.has(az));
      if (fault && (fault.percentage >= 100 || this.deps.rng.next() * 100 < fault.percentage)) {
        this.publishUnsuccessful(az, azs);
        continue;
      }
      const before = this.members().filter((i) => this.counts(i)).length;
      const inst = this.deps.fleet.launchInstance(az, 'pending', false, lifecycle);
      this.publish('EC2 Instance Launch Successful', inst, {
        Description: `Launching a new EC2 instance: ${inst.id}`,
        Cause: `At ${isoSeconds(this.deps.fleet.now())} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${before} to ${before + 1}.`,
      });
      return inst;
    }
    return undefined;
  }

  private replace(inst: Instance): void {
    if (!this.needsReplacement(inst)) {
      // It recovered before the group acted (started again, or passed its health checks).
      this.replacing.delete(inst.id);
      return;
    }
    if (inst.state !== 'shutting-down' && inst.state !== 'terminated') {
      this.deps.targets.deregister(inst.id);
      this.deps.fleet.terminateInstances(
        [inst.id],
        'Service initiated (Auto Scaling: instance failed the group health check)',
      );
      this.terminating.set(
        inst.id,
        `At ${isoSeconds(this.deps.fleet.now())} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`,
      );
    }
    this.launchReplacement(inst.az, inst.lifecycle);
  }

  private launchReplacement(preferredAz: string, lifecycle: Instance['lifecycle']): void {
    // No AZ is reachable, or none has capacity: the group keeps trying, as its launches keep failing in AWS.
    if (!this.launchInto(this.azOrder(preferredAz), lifecycle)) {
      this.deps.clock.after(RETRY_LAUNCH_MS, () => this.launchReplacement(preferredAz, lifecycle));
    }
  }

  /** Whether an instance counts towards the group's capacity when it balances AZs. */
  private counts(inst: Instance): boolean {
    return inst.state !== 'terminated' && inst.state !== 'shutting-down' && !this.replacing.has(inst.id);
  }

  /**
   * The reachable AZs in the order the group tries them: fewest instances first; ties go to the
   * lost instance's AZ, then to list order.
   */
  private azOrder(preferredAz: string): string[] {
    const azs = this.deps.fleet.def.availabilityZones.filter((az) => this.deps.fleet.azReachable(az));
    const members = this.members().filter((i) => this.counts(i));
    const count = (az: string) => members.filter((i) => i.az === az).length;
    const rank = (az: string) => count(az) * 2 + (az === preferredAz ? 0 : 1);
    return azs
      .map((az, i) => ({ az, i }))
      .sort((a, b) => rank(a.az) - rank(b.az) || a.i - b.i)
      .map((x) => x.az);
  }

  view(): AutoScalingGroupView {
    const instances = this.members()
      .filter((i) => i.state !== 'terminated')
      .map((i) => this.describe(i));
    return {
      name: this.name,
      arn: this.arn,
      minSize: this.desired,
      maxSize: this.desired,
      desiredCapacity: this.desired,
      healthCheckType: this.settings.healthCheckType,
      availabilityZones: [...this.deps.fleet.def.availabilityZones],
      inService: instances.filter((i) => i.lifecycleState === 'InService').length,
      instances,
    };
  }

  private describe(inst: Instance): AutoScalingInstance {
    const lifecycleState: LifecycleState =
      inst.state === 'pending'
        ? 'Pending'
        : inst.state === 'shutting-down'
          ? 'Terminating'
          : inst.state === 'terminated'
            ? 'Terminated'
            : 'InService';
    const healthy = !this.needsReplacement(inst) && lifecycleState !== 'Terminating';
    return {
      instanceId: inst.id,
      az: inst.az,
      lifecycleState,
      healthStatus: healthy ? 'Healthy' : 'Unhealthy',
      instanceType: inst.instanceType,
      launchTime: inst.launchTime,
    };
  }

  /** An EC2 Auto Scaling `EC2 Instance Launch Unsuccessful` event: no capacity in `az`. */
  private publishUnsuccessful(az: string, tried: readonly string[]): void {
    this.activities += 1;
    const now = isoSeconds(this.deps.fleet.now());
    const others = this.deps.fleet.def.availabilityZones.filter((z) => z !== az);
    this.deps.bus.publish(
      'aws.autoscaling',
      'EC2 Instance Launch Unsuccessful',
      {
        StatusCode: 'Failed',
        AutoScalingGroupName: this.name,
        ActivityId: uuidFor(`${this.name}/activity/${this.activities}`),
        Details: { 'Availability Zone': az },
        RequestId: uuidFor(`${this.name}/request/${this.activities}`),
        EndTime: now,
        EC2InstanceId: '',
        StartTime: now,
        StatusMessage:
          `We currently do not have sufficient capacity in the Availability Zone you requested (${az}). ` +
          'Our system will be working on provisioning additional capacity. You can currently get ' +
          `capacity by not specifying an Availability Zone in your request or choosing ${others.join(', ')}. ` +
          'Launching EC2 instance failed.',
        Description: `Launching a new EC2 instance. Status Reason: InsufficientInstanceCapacity (tried ${tried.join(', ')})`,
        Cause: `At ${now} an instance was started in response to a difference between desired and actual capacity.`,
      },
      [this.arn],
    );
  }

  /** Publishes an EC2 Auto Scaling lifecycle event in EventBridge's shape. */
  private publish(detailType: string, inst: Instance, text: { Description: string; Cause: string }): void {
    this.activities += 1;
    const now = isoSeconds(this.deps.fleet.now());
    this.deps.bus.publish(
      'aws.autoscaling',
      detailType,
      {
        StatusCode: detailType.includes('Launch') ? 'InProgress' : 'Successful',
        AutoScalingGroupName: this.name,
        ActivityId: uuidFor(`${this.name}/activity/${this.activities}`),
        Details: { 'Availability Zone': inst.az, 'Subnet ID': inst.subnetId },
        RequestId: uuidFor(`${this.name}/request/${this.activities}`),
        EndTime: now,
        EC2InstanceId: inst.id,
        StartTime: now,
        StatusMessage: '',
        ...text,
      },
      [this.arn, inst.arn],
    );
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stable UUID-shaped id derived from a name (FNV-1a), so replays give the same ids. */
function uuidFor(name: string): string {
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
