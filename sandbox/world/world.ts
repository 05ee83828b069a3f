import type { MetricStore } from '../backends/metrics.ts';
import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { RandomStream, Rng } from '../rng.ts';
import type { WorldDefinition } from './schema.ts';

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** EC2's numeric state codes, as DescribeInstances reports them. */
export const INSTANCE_STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  id: string;
  arn: string;
  az: string;
  subnetId: string;
  vpcId: string;
  privateIp: string;
  instanceType: string;
  imageId: string;
  state: InstanceState;
  /** Why the instance last changed state, as EC2's StateTransitionReason says it. */
  stateReason: string;
  launchTime: number;
  tags: Record<string, string>;
  /** Virtual time at which the application on it answers requests (undefined while it does not). */
  appReadyAt: number | undefined;
  autoScalingGroup: string | undefined;
}

export interface Subnet {
  id: string;
  arn: string;
  az: string;
  vpcId: string;
  cidr: string;
  tags: Record<string, string>;
}

export interface DbCluster {
  id: string;
  arn: string;
  engine: string;
  status: 'available' | 'failing-over';
  writerAz: string;
  readerAzs: string[];
  tags: Record<string, string>;
  /** Virtual time the current failover completes. */
  failoverEndsAt: number | undefined;
  failovers: number;
}

export interface Disruption {
  id: string;
  subnetIds: string[];
  scope: 'all' | 'availability-zone' | 'prefix-list' | 's3' | 'dynamodb';
  startedAt: number;
  endsAt: number;
  active: boolean;
}

export interface WorldDeps {
  clock: VirtualClock;
  rng: Rng;
  bus: EventBus;
  metrics: MetricStore;
}

/**
 * The simulated production service: its instances, subnets, database and network faults, and how
 * each of them changes state over virtual time. Services (FIS, SSM, EC2) change it only through
 * these methods, which apply EC2's own state machine and the world's realistic timings.
 */
export class World {
  readonly def: WorldDefinition;
  readonly vpcId = 'vpc-0f11a7c0de0000001';
  private readonly deps: WorldDeps;
  private readonly timing: RandomStream;
  private readonly instancesById = new Map<string, Instance>();
  private readonly subnetsById = new Map<string, Subnet>();
  private readonly clustersById = new Map<string, DbCluster>();
  private readonly disruptions: Disruption[] = [];
  private nextInstance = 1;
  private nextDisruption = 1;

  constructor(def: WorldDefinition, deps: WorldDeps) {
    this.def = def;
    this.deps = deps;
    this.timing = deps.rng.stream('world.timing');
    def.availabilityZones.forEach((az, i) => {
      const id = `subnet-0a${String(i + 1).padStart(15, '0')}`;
      this.subnetsById.set(id, {
        id,
        arn: this.arn('ec2', `subnet/${id}`),
        az,
        vpcId: this.vpcId,
        cidr: `10.0.${i * 16}.0/20`,
        tags: { Name: `${def.service.name}-${az}`, ...def.service.tags },
      });
    });
    for (const az of def.availabilityZones) {
      for (let n = 0; n < def.service.instancesPerAz; n++) this.launchInstance(az, 'running', true);
    }
    if (def.database) {
      const db = def.database;
      this.clustersById.set(db.clusterId, {
        id: db.clusterId,
        arn: this.arn('rds', `cluster:${db.clusterId}`),
        engine: db.engine,
        status: 'available',
        writerAz: db.writerAz,
        readerAzs: [...db.readerAzs],
        tags: { ...def.service.tags, ...db.tags },
        failoverEndsAt: undefined,
        failovers: 0,
      });
    }
  }

  get region(): string {
    return this.def.region;
  }
  get accountId(): string {
    return this.def.accountId;
  }
  now(): number {
    return this.deps.clock.now();
  }

  arn(service: string, resource: string, region = this.def.region): string {
    return `arn:aws:${service}:${region}:${this.def.accountId}:${resource}`;
  }

  instances(): Instance[] {
    return [...this.instancesById.values()];
  }
  instance(id: string): Instance | undefined {
    return this.instancesById.get(id);
  }
  subnets(): Subnet[] {
    return [...this.subnetsById.values()];
  }
  subnet(id: string): Subnet | undefined {
    return this.subnetsById.get(id);
  }
  dbClusters(): DbCluster[] {
    return [...this.clustersById.values()];
  }
  dbCluster(id: string): DbCluster | undefined {
    return this.clustersById.get(id);
  }
  activeDisruptions(): Disruption[] {
    return this.disruptions.filter((d) => d.active);
  }

  /** Whether traffic can reach an AZ's subnets (false while a disrupt-connectivity fault covers it). */
  azReachable(az: string): boolean {
    return !this.activeDisruptions().some((d) => d.subnetIds.some((s) => this.subnetsById.get(s)?.az === az));
  }

  /** True when the instance's application answers: running, booted, and its AZ reachable. */
  instanceServing(inst: Instance): boolean {
    return (
      inst.state === 'running' &&
      inst.appReadyAt !== undefined &&
      inst.appReadyAt <= this.now() &&
      this.azReachable(inst.az)
    );
  }

  /**
   * Whether the service answers at the endpoint a Route 53 health check probes: the primary
   * region's load balancer, or the standby in `dns.secondaryRegion`.
   */
  endpointHealthy(region: string): boolean {
    if (region !== this.def.region) return true;
    return this.instances().some((i) => this.instanceServing(i));
  }

  /** Draws a duration in milliseconds from a `[min, max]` seconds range. */
  drawMs([min, max]: readonly [number, number]): number {
    return Math.round(this.timing.between(min, max) * 1000);
  }

  launchInstance(az: string, initial: 'pending' | 'running' = 'pending', alreadyBooted = false): Instance {
    const subnet = this.subnets().find((s) => s.az === az);
    if (!subnet) throw new Error(`no subnet in ${az}`);
    const n = this.nextInstance++;
    const id = `i-0${n.toString(16).padStart(16, '0')}`;
    const inst: Instance = {
      id,
      arn: this.arn('ec2', `instance/${id}`),
      az,
      subnetId: subnet.id,
      vpcId: this.vpcId,
      privateIp: `10.0.${this.def.availabilityZones.indexOf(az) * 16}.${10 + n}`,
      instanceType: this.def.service.instanceType,
      imageId: 'ami-0c0ffee0000000001',
      state: initial,
      stateReason: '',
      launchTime: this.now(),
      tags: {
        Name: `${this.def.service.name}-${n}`,
        ...this.def.service.tags,
        ...(this.def.autoScaling ? { 'aws:autoscaling:groupName': this.def.autoScaling.name } : {}),
      },
      appReadyAt: alreadyBooted ? this.now() : undefined,
      autoScalingGroup: this.def.autoScaling?.name,
    };
    this.instancesById.set(id, inst);
    if (initial === 'pending') {
      this.deps.clock.after(this.drawMs(this.def.timings.startSeconds), () => {
        if (inst.state !== 'pending') return;
        this.setState(inst, 'running', 'launched');
        inst.appReadyAt = this.now() + this.drawMs(this.def.service.bootSeconds);
      });
    }
    return inst;
  }

  private setState(inst: Instance, state: InstanceState, reason: string): void {
    if (inst.state === state) return;
    inst.state = state;
    inst.stateReason = reason;
    if (state !== 'running') inst.appReadyAt = undefined;
    this.deps.bus.publish(
      'aws.ec2',
      'EC2 Instance State-change Notification',
      { 'instance-id': inst.id, state },
      [inst.arn],
    );
  }

  private requireInstance(id: string): Instance {
    const inst = this.instancesById.get(id);
    if (!inst) throw new WorldError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return inst;
  }

  /** EC2 StopInstances: running → stopping → stopped. Returns the previous and current states. */
  stopInstances(ids: string[], reason = 'User initiated'): StateChange[] {
    const insts = ids.map((id) => this.requireInstance(id));
    return insts.map((inst) => {
      const previous = inst.state;
      if (inst.state === 'running' || inst.state === 'pending') {
        this.setState(inst, 'stopping', reason);
        this.deps.clock.after(this.drawMs(this.def.timings.stopSeconds), () => {
          if (inst.state === 'stopping') this.setState(inst, 'stopped', reason);
        });
      } else if (inst.state === 'terminated' || inst.state === 'shutting-down') {
        throw new WorldError(
          'IncorrectInstanceState',
          `The instance '${inst.id}' is not in a state from which it can be stopped.`,
        );
      }
      return { id: inst.id, previous, current: inst.state };
    });
  }

  /** EC2 StartInstances: stopped → pending → running, then the application boots. */
  startInstances(ids: string[], reason = 'User initiated'): StateChange[] {
    const insts = ids.map((id) => this.requireInstance(id));
    return insts.map((inst) => {
      const previous = inst.state;
      if (inst.state === 'terminated' || inst.state === 'shutting-down') {
        throw new WorldError(
          'IncorrectInstanceState',
          `The instance '${inst.id}' is not in a state from which it can be started.`,
        );
      }
      if (inst.state === 'stopping') {
        // EC2 refuses to start an instance that is still stopping.
        throw new WorldError(
          'IncorrectInstanceState',
          `The instance '${inst.id}' is not in a state from which it can be started.`,
        );
      }
      if (inst.state === 'stopped') {
        this.setState(inst, 'pending', reason);
        this.deps.clock.after(this.drawMs(this.def.timings.startSeconds), () => {
          if (inst.state !== 'pending') return;
          this.setState(inst, 'running', reason);
          inst.appReadyAt = this.now() + this.drawMs(this.def.service.bootSeconds);
        });
      }
      return { id: inst.id, previous, current: inst.state };
    });
  }

  /** EC2 TerminateInstances: → shutting-down → terminated (for good). */
  terminateInstances(ids: string[], reason = 'User initiated'): StateChange[] {
    const insts = ids.map((id) => this.requireInstance(id));
    return insts.map((inst) => {
      const previous = inst.state;
      if (inst.state !== 'terminated' && inst.state !== 'shutting-down') {
        this.setState(inst, 'shutting-down', reason);
        this.deps.clock.after(this.drawMs(this.def.timings.terminateSeconds), () => {
          this.setState(inst, 'terminated', reason);
        });
      }
      return { id: inst.id, previous, current: inst.state };
    });
  }

  /** EC2 RebootInstances: the instance stays `running` but its application is down while it reboots. */
  rebootInstances(ids: string[]): void {
    const insts = ids.map((id) => this.requireInstance(id));
    for (const inst of insts) {
      if (inst.state !== 'running') {
        throw new WorldError('IncorrectInstanceState', `The instance '${inst.id}' is not running.`);
      }
      inst.appReadyAt = this.now() + this.drawMs(this.def.timings.rebootSeconds);
    }
  }

  /** FIS aws:network:disrupt-connectivity: the subnets' traffic is dropped until the disruption ends. */
  disruptConnectivity(subnetIds: string[], scope: Disruption['scope'], durationMs: number): Disruption {
    for (const id of subnetIds) {
      if (!this.subnetsById.has(id))
        throw new WorldError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    }
    const d: Disruption = {
      id: `disruption-${this.nextDisruption++}`,
      subnetIds: [...subnetIds],
      scope,
      startedAt: this.now(),
      endsAt: this.now() + durationMs,
      active: true,
    };
    this.disruptions.push(d);
    this.deps.clock.after(durationMs, () => this.endDisruption(d));
    return d;
  }

  endDisruption(d: Disruption): void {
    d.active = false;
  }

  /**
   * RDS FailoverDBCluster: the writer moves to a reader AZ (the first one not in `avoidAz`); writes
   * fail until the failover completes, 60–120 s later by default.
   */
  failoverDbCluster(id: string, targetAz?: string): DbCluster {
    const c = this.clustersById.get(id);
    if (!c) throw new WorldError('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
    if (c.status !== 'available') {
      throw new WorldError(
        'InvalidDBClusterStateFault',
        `DBCluster ${id} is not in available state (it is ${c.status}).`,
      );
    }
    const target = targetAz ?? c.readerAzs[0]!;
    const old = c.writerAz;
    c.status = 'failing-over';
    c.failoverEndsAt = this.now() + this.drawMs(this.def.database?.failoverSeconds ?? [60, 120]);
    this.deps.clock.at(c.failoverEndsAt, () => {
      c.writerAz = target;
      c.readerAzs = [...c.readerAzs.filter((az) => az !== target), old];
      c.status = 'available';
      c.failoverEndsAt = undefined;
      c.failovers += 1;
    });
    return c;
  }
}

export interface StateChange {
  id: string;
  previous: InstanceState;
  current: InstanceState;
}

/** A refusal by the simulated world, with the code the owning AWS service would answer. */
export class WorldError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}
