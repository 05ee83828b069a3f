import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { RandomStream } from '../rng.ts';
import type { TargetGroup } from './alb.ts';
import type { WorldDefinition } from './schema.ts';
import type { Instance, StateChange } from './world.ts';

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
  launchInstance(az: string): Instance;
  terminateInstances(ids: string[], reason?: string): StateChange[];
  arn(service: string, resource: string): string;
  now(): number;
}

export interface AsgDeps {
  fleet: AsgFleet;
  targets: TargetGroup;
  clock: VirtualClock;
  bus: EventBus;
  /** Seeded stream for the group's own delays, so they do not shift the world's other timings. */
  rng: RandomStream;
}

/** How soon the group tries again when no AZ can take a launch. */
const RETRY_LAUNCH_MS = 10_000;

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
    this.launchReplacement(inst.az);
  }

  private launchReplacement(preferredAz: string): void {
    const az = this.pickAz(preferredAz);
    if (!az) {
      // No AZ is reachable: the group keeps trying, as its launches keep failing in AWS.
      this.deps.clock.after(RETRY_LAUNCH_MS, () => this.launchReplacement(preferredAz));
      return;
    }
    const before = this.members().filter((i) => this.counts(i)).length;
    const inst = this.deps.fleet.launchInstance(az);
    this.publish('EC2 Instance Launch Successful', inst, {
      Description: `Launching a new EC2 instance: ${inst.id}`,
      Cause: `At ${isoSeconds(this.deps.fleet.now())} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${before} to ${before + 1}.`,
    });
  }

  /** Whether an instance counts towards the group's capacity when it balances AZs. */
  private counts(inst: Instance): boolean {
    return inst.state !== 'terminated' && inst.state !== 'shutting-down' && !this.replacing.has(inst.id);
  }

  /** The reachable AZ with the fewest instances; ties go to the lost instance's AZ, then to list order. */
  private pickAz(preferredAz: string): string | undefined {
    const azs = this.deps.fleet.def.availabilityZones.filter((az) => this.deps.fleet.azReachable(az));
    if (azs.length === 0) return undefined;
    const members = this.members().filter((i) => this.counts(i));
    const count = (az: string) => members.filter((i) => i.az === az).length;
    const fewest = Math.min(...azs.map(count));
    const candidates = azs.filter((az) => count(az) === fewest);
    return candidates.includes(preferredAz) ? preferredAz : candidates[0];
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
