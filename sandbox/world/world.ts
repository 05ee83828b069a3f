import type { MetricStore } from '../backends/metrics.ts';
import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { RandomStream, Rng } from '../rng.ts';
import { type Fleet, TargetGroup, type TargetHealthView } from './alb.ts';
import { AutoScalingGroup, type AutoScalingGroupView } from './asg.ts';
import { ReplicationGroup } from './cache.ts';
import { DnsTrafficShift } from './dns-shift.ts';
import { EcsService } from './ecs.ts';
import { WorldError } from './errors.ts';
import type { Instance, InstanceState, StateChange, Volume } from './instance.ts';
import {
  loadBalancerDimension,
  MinuteMetrics,
  type TrafficSlice,
  targetGroupDimension,
} from './minute-metrics.ts';
import { combineImpacts, type WorldPart } from './part.ts';
import { publishClusterEvent, publishInstanceEvent } from './rds-events.ts';
import { ReplicaLagModel } from './replica-lag.ts';
import type { WorldDefinition } from './schema.ts';
import { ServerlessService } from './serverless.ts';
import { type StandbyDatabase, StandbyRegion } from './standby.ts';
import { computeTraffic, probeSuccessRatio, type TrafficConditions, type TrafficRates } from './traffic.ts';

export { WorldError } from './errors.ts';
export {
  INSTANCE_STATE_CODES,
  type Instance,
  type InstanceState,
  type StateChange,
  type Volume,
} from './instance.ts';

/** The traffic model's resolution: the world is sampled every 10 virtual seconds. */
const SLICE_MS = 10_000;
const MINUTE_MS = 60_000;
/** Health-check rounds run this far into each interval, so they never coincide with a sample. */
const HEALTH_CHECK_PHASE_MS = 5_000;
/** Disruption scopes that cut an AZ off from the load balancer and the database (s3, dynamodb and prefix-list do not). */
const ISOLATING_SCOPES: ReadonlySet<Disruption['scope']> = new Set(['all', 'availability-zone']);

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

/** One DB instance of a cluster: the writer or a reader, one per AZ, named after the cluster and its AZ. */
export interface DbInstance {
  id: string;
  arn: string;
  clusterId: string;
  az: string;
  role: 'writer' | 'reader';
  engine: string;
  instanceClass: string;
  /** `rebooting` while RebootDBInstance restarts it; `failing-over` while its cluster fails over. */
  status: 'available' | 'rebooting' | 'failing-over';
  tags: Record<string, string>;
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
  private readonly volumesById = new Map<string, Volume>();
  /** DB instance → when its reboot completes, while it reboots. */
  private readonly dbRebootsUntil = new Map<string, number>();
  /** AZ → how many zonal shifts currently move the load balancer's traffic away from it. */
  private readonly zonalShifts = new Map<string, number>();
  private readonly disruptions: Disruption[] = [];
  private nextInstance = 1;
  private nextDisruption = 1;
  private readonly targets: TargetGroup<Instance>;
  private readonly fleet: Fleet<Instance>;
  private readonly asg: AutoScalingGroup | undefined;
  private readonly dns: DnsTrafficShift;
  private readonly replicaLag: ReplicaLagModel | undefined;
  private readonly standbyRegion: StandbyRegion | undefined;
  private readonly serverlessService: ServerlessService | undefined;
  private readonly minute: MinuteMetrics;
  private readonly noise: RandomStream;
  /** The session cache, when the world has one (`cache` in the world file). */
  readonly cache: ReplicationGroup | undefined;
  /** The ECS service the service calls, when the world has one (`containers`). */
  readonly containers: EcsService | undefined;
  /** The service's other dependencies: sampled with the traffic, their impact in its conditions. */
  private readonly parts: WorldPart[];
  private started = false;
  private lastSampleAt = 0;
  private latest: TrafficSlice | undefined;

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
      for (let n = 0; n < def.service.instancesPerAz; n++) {
        // The last ones of each AZ are Spot Instances, as a mixed-instances group keeps its base on demand.
        const spot = n >= def.service.instancesPerAz - def.service.spotInstancesPerAz;
        this.launchInstance(az, 'running', true, spot ? 'spot' : 'on-demand');
      }
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
    this.fleet = {
      availabilityZones: def.availabilityZones,
      members: () => this.instances(),
      member: (id) => this.instance(id),
      isUp: (i) => i.state === 'running',
      isGone: (i) => i.state === 'terminated',
      serving: (i) => this.instanceServing(i),
      answers: (i) => this.instanceAnswers(i),
      shiftedAzs: () => this.shiftedAzs(),
    };
    this.targets = new TargetGroup(
      this.fleet,
      def.loadBalancer?.healthCheck ?? { intervalSeconds: 30, unhealthyThreshold: 3, healthyThreshold: 3 },
    );
    this.asg = def.autoScaling
      ? new AutoScalingGroup(def.autoScaling, {
          fleet: this,
          targets: this.targets,
          clock: deps.clock,
          bus: deps.bus,
          rng: deps.rng.stream('autoscaling'),
        })
      : undefined;
    this.dns = new DnsTrafficShift(def.region, def.dns?.ttl ?? 60);
    this.replicaLag = def.database
      ? new ReplicaLagModel(def.database.baseReplicaLagMs, def.database.replicaLagSpikeMs)
      : undefined;
    this.standbyRegion = def.standby
      ? new StandbyRegion(def.standby, def.service.instancesPerAz, {
          clock: deps.clock,
          bus: deps.bus,
          accountId: def.accountId,
          engine: def.database?.engine ?? 'aurora-postgresql',
          drawMs: (range) => this.drawMs(range),
        })
      : undefined;
    this.serverlessService = def.serverless
      ? new ServerlessService(def.serverless, def.availabilityZones, def.service.tags, {
          region: def.region,
          arn: (service, resource, region) => this.arn(service, resource, region),
          subnetIdsIn: (azs) =>
            this.subnets()
              .filter((s) => azs.includes(s.az))
              .map((s) => s.id),
          reachesDynamoDb: (id) => this.reachesDynamoDb(id),
          now: () => this.now(),
        })
      : undefined;
    this.minute = new MinuteMetrics(def, deps.metrics);
    this.noise = deps.rng.stream('traffic');
    // Each draws its timings from a stream of its own, so that the rest of the world's stay as they were.
    const partDeps = (stream: string) => ({
      clock: deps.clock,
      bus: deps.bus,
      metrics: deps.metrics,
      rng: deps.rng.stream(stream),
      arn: (service: string, resource: string) => this.arn(service, resource),
      azReachable: (az: string) => this.azReachable(az),
      serviceTags: def.service.tags,
    });
    this.cache = def.cache ? new ReplicationGroup(def.cache, partDeps('elasticache')) : undefined;
    this.containers = def.containers ? new EcsService(def.containers, partDeps('ecs')) : undefined;
    this.parts = [this.cache, this.containers].filter((p): p is ReplicationGroup | EcsService => !!p);
  }

  /**
   * Sets the world going on the virtual clock: a traffic sample (and an Auto Scaling check) every
   * 10 s, metrics published at every whole minute, and the load balancer's health checks every
   * `healthCheck.intervalSeconds`. Calling it again does nothing.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const clock = this.deps.clock;
    this.lastSampleAt = this.now();
    clock.at(nextMultiple(this.now(), SLICE_MS), () => {
      this.tick();
      clock.every(SLICE_MS, () => this.tick());
    });
    if (!this.def.loadBalancer) return;
    const intervalMs = this.def.loadBalancer.healthCheck.intervalSeconds * 1000;
    clock.at(nextMultiple(this.now() - HEALTH_CHECK_PHASE_MS, intervalMs) + HEALTH_CHECK_PHASE_MS, () => {
      this.targets.checkHealth();
      clock.every(intervalMs, () => this.targets.checkHealth());
    });
  }

  private tick(): void {
    const now = this.now();
    const seconds = (now - this.lastSampleAt) / 1000;
    this.lastSampleAt = now;
    if (seconds > 0) {
      this.latest = this.sample(now, seconds);
      this.minute.add(this.latest);
      for (const part of this.parts) part.sample(now);
    }
    this.asg?.check();
    if (now % MINUTE_MS === 0) {
      this.minute.flush(now - MINUTE_MS);
      for (const part of this.parts) part.flush(now - MINUTE_MS);
    }
  }

  /** The world over the slice that just ended, judged by its state now. */
  private sample(now: number, seconds: number): TrafficSlice {
    const svc = this.def.service;
    // Draw the same number of values every slice, so that one fault does not shift later noise.
    const spread = svc.noisePercent / 100;
    const loadFactor = Math.max(0, 1 + spread * gaussian(this.noise));
    const latencyFactor = Math.max(0.5, 1 + spread * gaussian(this.noise));
    const errorFactor = Math.max(0, 1 + 0.5 * gaussian(this.noise));
    const lagFactor = Math.exp(0.2 * gaussian(this.noise));

    this.targets.sync();
    const offered = svc.baselineRps * loadFactor;
    const share = this.dns.primaryShare(now);
    const noisy = { latencyFactor, baselineErrorRatio: (svc.baselineErrorPercent / 100) * errorFactor };
    // One traffic model per service type: the fleet behind its load balancers, or the serverless API.
    const serverless = this.serverlessService?.sample(offered, seconds, { ...noisy, lagFactor });
    const primary = serverless
      ? NO_TRAFFIC
      : computeTraffic({ ...this.primaryConditions(offered * share), ...noisy });
    const standby = serverless
      ? NO_TRAFFIC
      : computeTraffic({ ...this.standbyConditions(offered * (1 - share)), ...noisy });
    const view = this.targets.view();
    const lag = this.sampleReplicaLag(now);
    const writer = this.primaryCluster();
    return {
      seconds,
      primary,
      standby,
      hosts: { total: view, byAz: view.byAz },
      standbyHostsByAz: this.standbyRegion?.hostsByAz(),
      replicaLagMs: lag === undefined ? undefined : lag * lagFactor,
      // The same noise as the primary's replicas: a slice draws the same values whatever the world holds.
      standbyLagMs: this.standbyRegion?.sampleLag(!!writer && this.azReachable(writer.writerAz), lagFactor),
      serverless,
    };
  }

  /** The primary region's load balancer as the traffic model sees it, offered `offeredRps`. */
  private primaryConditions(offeredRps: number): TrafficConditions {
    const routing = this.targets.routing();
    return {
      ...this.steadyConditions(offeredRps, 0),
      routedTargets: routing.targets.length,
      routedServing: routing.targets.filter((i) => this.instanceServing(i)).length,
      writeFailureRatio: this.writesFailing() ? (this.def.database?.writeRequestShare ?? 0) : 0,
      dependencies: combineImpacts(this.parts.map((p) => p.impact(offeredRps))),
    };
  }

  /**
   * The standby region: its fleet serves whatever DNS sends it. Its writes succeed once its own
   * database has been promoted; without a database of its own it writes to the primary's writer
   * across regions, and fails when that does.
   */
  private standbyConditions(offeredRps: number): TrafficConditions {
    const s = this.standbyRegion;
    const writeShare = this.def.database?.writeRequestShare ?? 0;
    const writesFail = !s || (s.database() ? !s.writable : this.writesFailing());
    return {
      ...this.steadyConditions(offeredRps, s?.instances ?? 0),
      writeFailureRatio: writesFail ? writeShare : 0,
    };
  }

  private steadyConditions(offeredRps: number, targets: number): TrafficConditions {
    const svc = this.def.service;
    return {
      offeredRps,
      routedTargets: targets,
      routedServing: targets,
      // The schema requires both of a fleet's world; only such a world samples its fleet.
      capacityPerInstanceRps: svc.capacityPerInstanceRps!,
      baseLatencyP99Ms: svc.baseLatencyP99Ms!,
      baselineErrorRatio: svc.baselineErrorPercent / 100,
      writeFailureRatio: 0,
      latencyFactor: 1,
    };
  }

  /**
   * Writes fail while the cluster fails over, while the application cannot reach the writer's AZ,
   * and for good once the standby's secondary has been promoted: the global database then demotes
   * this cluster to a read-only secondary.
   */
  private writesFailing(): boolean {
    const c = this.primaryCluster();
    if (this.standbyRegion?.database() && this.standbyRegion.database()!.status !== 'secondary') return !!c;
    return (
      !!c &&
      (c.status === 'failing-over' ||
        !this.azReachable(c.writerAz) ||
        this.dbRebootsUntil.has(dbInstanceId(c.id, c.writerAz)))
    );
  }

  private primaryCluster(): DbCluster | undefined {
    return this.def.database && this.clustersById.get(this.def.database.clusterId);
  }

  private sampleReplicaLag(now: number): number | undefined {
    const c = this.primaryCluster();
    if (!c || !this.replicaLag) return undefined;
    return this.replicaLag.sample(now, {
      failingOver: c.status === 'failing-over',
      writerUnreachableSince: this.unreachableSince(c.writerAz),
    });
  }

  /** The load balancer's view of its targets (DescribeTargetHealth), overall and per AZ. */
  targetHealth(): TargetHealthView {
    this.targets.sync();
    return this.targets.view();
  }

  /** The Auto Scaling group (DescribeAutoScalingGroups), if the world has one. */
  autoScalingGroup(): AutoScalingGroupView | undefined {
    return this.asg?.view();
  }

  /**
   * FIS aws:ec2:asg-insufficient-instance-capacity-error: the group's launches into `azs` fail
   * with InsufficientInstanceCapacity (`percentage` of them) until the returned function ends it.
   */
  injectAsgCapacityError(groupName: string, azs: readonly string[], percentage: number): () => void {
    if (!this.asg || this.asg.view().name !== groupName) {
      throw new WorldError(
        'ValidationError',
        `AutoScalingGroup name not found - AutoScalingGroup '${groupName}' not found`,
      );
    }
    return this.asg.injectCapacityError(azs, percentage);
  }

  /** The `LoadBalancer` metric dimension value of the primary region's ALB. */
  get loadBalancerDimension(): string {
    return loadBalancerDimension(this.def);
  }

  /** The `TargetGroup` metric dimension value of the service's target group. */
  get targetGroupDimension(): string {
    return targetGroupDimension(this.def);
  }

  /**
   * Route 53 calls this when the record set clients resolve starts answering with `region`'s
   * endpoint; traffic moves there over the record's TTL as resolver caches expire.
   */
  setDnsActiveRegion(region: string): void {
    this.dns.setActiveRegion(region, this.now());
  }

  dnsActiveRegion(): string {
    return this.dns.activeRegion;
  }

  /** The serverless service (API, function, table, queue), in a serverless world. */
  get serverless(): ServerlessService | undefined {
    return this.serverlessService;
  }

  /**
   * Whether code in the subnet reaches DynamoDB: not while a disrupt-connectivity fault covers it
   * with scope `all`, `availability-zone` (its AZ is cut off) or `dynamodb`.
   */
  reachesDynamoDb(subnetId: string): boolean {
    const az = this.subnetsById.get(subnetId)?.az;
    return !this.activeDisruptions().some(
      (d) =>
        (d.scope === 'dynamodb' && d.subnetIds.includes(subnetId)) ||
        (ISOLATING_SCOPES.has(d.scope) && d.subnetIds.some((s) => this.subnetsById.get(s)?.az === az)),
    );
  }

  /** The warm standby in another region, if the world has one. */
  get standby(): StandbyRegion | undefined {
    return this.standbyRegion;
  }

  /**
   * RDS FailoverGlobalCluster (with AllowDataLoss) on the global database the primary's cluster
   * and the standby's secondary form: promotes the secondary. Refused with RDS's codes when the
   * world has no such global database or the secondary is not one any more.
   */
  failoverGlobalCluster(globalClusterId: string, targetDbCluster: string): StandbyDatabase {
    if (!this.standbyRegion?.database()) {
      throw new WorldError(
        'GlobalClusterNotFoundFault',
        `The global cluster ${globalClusterId} doesn't exist.`,
      );
    }
    return this.standbyRegion.failoverGlobalCluster(globalClusterId, targetDbCluster);
  }

  /** The most recent 10-second traffic sample (requests per second by outcome), once the world has started. */
  currentTraffic(): TrafficSlice | undefined {
    return this.latest;
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
  /** The DB instances of every cluster: its writer, then its readers. */
  dbInstances(): DbInstance[] {
    return this.dbClusters().flatMap((c) =>
      [c.writerAz, ...c.readerAzs].map((az, i) => {
        const id = dbInstanceId(c.id, az);
        return {
          id,
          arn: this.arn('rds', `db:${id}`),
          clusterId: c.id,
          az,
          role: i === 0 ? ('writer' as const) : ('reader' as const),
          engine: c.engine,
          instanceClass: this.def.database?.instanceClass ?? 'db.r6g.large',
          status:
            c.status === 'failing-over'
              ? ('failing-over' as const)
              : this.dbRebootsUntil.has(id)
                ? ('rebooting' as const)
                : ('available' as const),
          tags: c.tags,
        };
      }),
    );
  }

  /** The DB instance, refused as RDS refuses a reboot of one that does not exist or is not available. */
  availableDbInstance(id: string): DbInstance {
    const inst = this.dbInstances().find((d) => d.id === id);
    if (!inst) throw new WorldError('DBInstanceNotFound', `DBInstance ${id} not found.`);
    if (inst.status !== 'available') {
      throw new WorldError(
        'InvalidDBInstanceState',
        `DBInstance ${id} is not in available state (it is ${inst.status}).`,
      );
    }
    return inst;
  }

  /**
   * RDS RebootDBInstance: the instance restarts, 20–45 s by default (`database.rebootSeconds`);
   * the cluster takes no writes while its writer does. With `forceFailover`, rebooting a writer
   * that has a reader fails the cluster over to it instead, as Aurora does. Returns when it is
   * available again.
   */
  rebootDbInstance(id: string, forceFailover: boolean): number {
    const inst = this.availableDbInstance(id);
    if (forceFailover && inst.role === 'writer') {
      return this.failoverDbCluster(inst.clusterId).failoverEndsAt ?? this.now();
    }
    const until = this.now() + this.drawMs(this.def.database?.rebootSeconds ?? [20, 45]);
    this.dbRebootsUntil.set(id, until);
    this.deps.clock.at(until, () => {
      this.dbRebootsUntil.delete(id);
      publishInstanceEvent(this.deps.bus, {
        category: 'availability',
        instance: inst,
        at: this.now(),
        eventId: 'RDS-EVENT-0006',
        message: 'DB instance restarted',
      });
    });
    return until;
  }

  activeDisruptions(): Disruption[] {
    return this.disruptions.filter((d) => d.active);
  }

  /**
   * Whether traffic can reach an AZ's subnets: false while a disrupt-connectivity fault with scope
   * `all` or `availability-zone` covers one of them (the other scopes cut off services the
   * simulated application does not depend on).
   */
  azReachable(az: string): boolean {
    return this.unreachableSince(az) === undefined;
  }

  /** When the AZ was cut off, if it is now. */
  private unreachableSince(az: string): number | undefined {
    let since: number | undefined;
    for (const d of this.activeDisruptions()) {
      if (!ISOLATING_SCOPES.has(d.scope)) continue;
      if (!d.subnetIds.some((s) => this.subnetsById.get(s)?.az === az)) continue;
      since = since === undefined ? d.startedAt : Math.min(since, d.startedAt);
    }
    return since;
  }

  /** True when the instance's application answers: running, booted, its process alive, and its AZ reachable. */
  instanceServing(inst: Instance): boolean {
    return (
      this.instanceAnswers(inst) &&
      !inst.processKilled &&
      inst.appReadyAt !== undefined &&
      inst.appReadyAt <= this.now()
    );
  }

  /**
   * Whether anything on the host answers a connection at all: running, its AZ reachable and its root
   * volume's I/O flowing (a host whose disk hangs accepts nothing: requests time out). A host that
   * answers but whose application is down (booting, its process killed) refuses instead.
   */
  instanceAnswers(inst: Instance): boolean {
    return inst.state === 'running' && this.azReachable(inst.az) && !this.volumeStalled(inst.volumeId);
  }

  volumes(): Volume[] {
    return [...this.volumesById.values()];
  }
  volume(id: string): Volume | undefined {
    return this.volumesById.get(id);
  }

  private volumeStalled(id: string): boolean {
    const until = this.volumesById.get(id)?.ioPausedUntil;
    return until !== undefined && until > this.now();
  }

  /**
   * FIS aws:ebs:pause-volume-io: the volumes accept no I/O for `durationMs` (or until resumed); the
   * instances they are attached to hang. Refused as EC2 refuses an unknown or deleted volume.
   */
  pauseVolumeIo(ids: string[], durationMs: number): void {
    const volumes = ids.map((id) => {
      const v = this.volumesById.get(id);
      if (!v || v.state === 'deleted')
        throw new WorldError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
      return v;
    });
    for (const v of volumes) v.ioPausedUntil = this.now() + durationMs;
  }

  /** Ends a pause early (the experiment was stopped). */
  resumeVolumeIo(ids: string[]): void {
    for (const id of ids) {
      const v = this.volumesById.get(id);
      if (v && v.ioPausedUntil !== undefined && v.ioPausedUntil > this.now()) v.ioPausedUntil = this.now();
    }
  }

  /**
   * ARC zonal shift of the load balancer (FIS aws:arc:start-zonal-autoshift): it stops sending
   * requests to its targets in `az` until the returned function ends the shift.
   */
  startZonalShift(az: string): () => void {
    this.zonalShifts.set(az, (this.zonalShifts.get(az) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.zonalShifts.get(az) ?? 1) - 1;
      if (n > 0) this.zonalShifts.set(az, n);
      else this.zonalShifts.delete(az);
    };
  }

  /** The AZs the load balancer's traffic is shifted away from now. */
  shiftedAzs(): string[] {
    return [...this.zonalShifts.keys()];
  }

  /**
   * EC2 interrupts Spot Instances: a rebalance recommendation and an interruption notice now, as
   * EC2 delivers them to EventBridge, and the instances terminated `afterMs` later (their
   * interruption behaviour is terminate).
   */
  interruptSpotInstances(ids: string[], afterMs: number): void {
    const insts = ids.map((id) => this.requireInstance(id));
    for (const inst of insts) {
      this.deps.bus.publish('aws.ec2', 'EC2 Instance Rebalance Recommendation', { 'instance-id': inst.id }, [
        inst.arn,
      ]);
      this.deps.bus.publish(
        'aws.ec2',
        'EC2 Spot Instance Interruption Warning',
        { 'instance-id': inst.id, 'instance-action': 'terminate' },
        [inst.arn],
      );
      this.deps.clock.after(afterMs, () => {
        if (inst.state === 'terminated' || inst.state === 'shutting-down') return;
        this.terminate(
          inst,
          'Service initiated (Spot Instance interruption)',
          'Server.SpotInstanceTermination',
        );
      });
    }
  }

  /**
   * Whether the service answers at the endpoint a Route 53 health check probes: the primary
   * region's load balancer (healthy while it has a healthy target that answers and more than half
   * of the probes succeed), or the standby's (healthy while it has instances).
   */
  endpointHealthy(region: string): boolean {
    if (region !== this.def.region) {
      return region !== this.standbyRegion?.region || this.standbyRegion.instances > 0;
    }
    this.targets.sync();
    const routing = this.targets.routing();
    if (routing.failOpen || !routing.targets.some((i) => this.instanceServing(i))) return false;
    const offered = this.def.service.baselineRps * this.dns.primaryShare(this.now());
    return probeSuccessRatio(this.primaryConditions(offered)) > 0.5;
  }

  /** Draws a duration in milliseconds from a `[min, max]` seconds range. */
  drawMs([min, max]: readonly [number, number]): number {
    return Math.round(this.timing.between(min, max) * 1000);
  }

  launchInstance(
    az: string,
    initial: 'pending' | 'running' = 'pending',
    alreadyBooted = false,
    lifecycle: Instance['lifecycle'] = 'on-demand',
  ): Instance {
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
      processKilled: false,
      autoScalingGroup: this.def.autoScaling?.name,
      lifecycle,
      stateReasonCode: '',
      volumeId: `vol-0${n.toString(16).padStart(16, '0')}`,
    };
    this.instancesById.set(id, inst);
    this.volumesById.set(inst.volumeId, {
      id: inst.volumeId,
      arn: this.arn('ec2', `volume/${inst.volumeId}`),
      az,
      instanceId: id,
      sizeGiB: 8,
      volumeType: 'gp3',
      createTime: this.now(),
      tags: { ...inst.tags, Name: `${inst.tags.Name}-root` },
      state: 'in-use',
      ioPausedUntil: undefined,
    });
    if (initial === 'pending') {
      this.deps.clock.after(this.drawMs(this.def.timings.startSeconds), () => {
        if (inst.state !== 'pending') return;
        this.setState(inst, 'running', 'launched');
        inst.appReadyAt = this.now() + this.drawMs(this.def.service.bootSeconds);
      });
    }
    return inst;
  }

  private setState(
    inst: Instance,
    state: InstanceState,
    reason: string,
    code = 'Client.UserInitiatedShutdown',
  ): void {
    if (inst.state === state) return;
    inst.state = state;
    inst.stateReason = reason;
    if (state !== 'running') {
      inst.appReadyAt = undefined;
      // Powered off, the process is gone anyway; it starts again on the next boot.
      inst.processKilled = false;
    }
    if (state === 'stopping' || state === 'shutting-down') inst.stateReasonCode = code;
    if (state === 'terminated') {
      // The root volume goes with the instance (DeleteOnTermination), and its I/O with it.
      const v = this.volumesById.get(inst.volumeId);
      if (v) {
        v.state = 'deleted';
        v.ioPausedUntil = undefined;
      }
    }
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
      if (inst.state !== 'terminated' && inst.state !== 'shutting-down') this.terminate(inst, reason);
      return { id: inst.id, previous, current: inst.state };
    });
  }

  private terminate(inst: Instance, reason: string, code = 'Client.UserInitiatedShutdown'): void {
    this.setState(inst, 'shutting-down', reason, code);
    this.deps.clock.after(this.drawMs(this.def.timings.terminateSeconds), () => {
      this.setState(inst, 'terminated', reason, code);
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
      inst.processKilled = false;
    }
  }

  /**
   * Kills the service's process on running instances (FIS AWSFIS-Run-Kill-Process): they stay
   * `running` and pass EC2's status checks, but answer nothing until they boot again. Returns the
   * instances the process was found on; one that is not running, or whose process is not up (still
   * booting or already killed), has nothing to kill.
   */
  killServiceProcess(ids: string[]): Instance[] {
    const insts = ids.map((id) => this.requireInstance(id));
    const killed = insts.filter(
      (i) =>
        i.state === 'running' && !i.processKilled && i.appReadyAt !== undefined && i.appReadyAt <= this.now(),
    );
    for (const inst of killed) inst.processKilled = true;
    return killed;
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

  /** The cluster, refused as RDS refuses a failover of one that does not exist or is not available. */
  availableDbCluster(id: string): DbCluster {
    const c = this.clustersById.get(id);
    if (!c) throw new WorldError('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
    if (c.status !== 'available') {
      throw new WorldError(
        'InvalidDBClusterStateFault',
        `DBCluster ${id} is not in available state (it is ${c.status}).`,
      );
    }
    return c;
  }

  /**
   * RDS FailoverDBCluster: the writer moves to a reader AZ (the first one not in `avoidAz`); writes
   * fail until the failover completes, 60–120 s later by default.
   */
  failoverDbCluster(id: string, targetAz?: string): DbCluster {
    const c = this.availableDbCluster(id);
    const target = targetAz ?? c.readerAzs[0]!;
    const old = c.writerAz;
    c.status = 'failing-over';
    c.failoverEndsAt = this.now() + this.drawMs(this.def.database?.failoverSeconds ?? [60, 120]);
    this.publishClusterEvent(
      c,
      'RDS-EVENT-0073',
      `Started cross AZ failover to DB instance: ${dbInstanceId(c.id, target)}`,
    );
    this.deps.clock.at(c.failoverEndsAt, () => {
      c.writerAz = target;
      c.readerAzs = [...c.readerAzs.filter((az) => az !== target), old];
      c.status = 'available';
      c.failoverEndsAt = undefined;
      c.failovers += 1;
      this.publishClusterEvent(
        c,
        'RDS-EVENT-0071',
        `Completed failover to DB instance: ${dbInstanceId(c.id, target)}`,
      );
    });
    return c;
  }

  private publishClusterEvent(c: DbCluster, eventId: string, message: string): void {
    publishClusterEvent(this.deps.bus, {
      category: 'failover',
      cluster: c,
      at: this.now(),
      eventId,
      message,
    });
  }
}

/** A DB instance's id: its cluster's and its AZ's (`checkout-db-us-east-1a`), as failover events name it. */
function dbInstanceId(clusterId: string, az: string): string {
  return `${clusterId}-${az}`;
}

/** A load balancer nothing is sent to (the world's service is serverless). */
const NO_TRAFFIC: TrafficRates = {
  requests: 0,
  elb5xx: 0,
  target5xx: 0,
  answered: 0,
  utilisation: 0,
  latency: { medianMs: 1, sigma: 0.1 },
};

/** The first multiple of `step` strictly after `t`. */
function nextMultiple(t: number, step: number): number {
  return (Math.floor(t / step) + 1) * step;
}

/** A standard normal draw (Irwin–Hall: the sum of four uniforms, rescaled). */
function gaussian(rng: RandomStream): number {
  return (rng.next() + rng.next() + rng.next() + rng.next() - 2) * Math.sqrt(3);
}
