import { z } from 'zod';
import { WorldError } from './errors.ts';
import { count, number, secondsRange, tags } from './fields.ts';
import {
  type DependencyImpact,
  drawMs,
  MinuteGauges,
  NO_IMPACT,
  type PartDeps,
  type WorldPart,
} from './part.ts';

/**
 * The world's ECS service on Fargate: its tasks spread over the AZs, the service scheduler that
 * replaces a task that stops, and what the service does to the requests that call it (a share of
 * the world's service's requests, e.g. the payment step of checkout).
 */

export const containersSchema = z
  .object({
    cluster: z.string().min(1),
    service: z.string().min(1),
    /** The AZs the service's subnets are in; the scheduler spreads tasks evenly over them. */
    availabilityZones: z.array(z.string().min(1)).min(1),
    tasksPerAz: count(0, 100),
    /** The task's essential container: its name, the port it listens on and its main process. */
    container: z
      .object({
        name: z.string().min(1).default('app'),
        port: count(1, 65_535).default(8080),
        processName: z.string().min(1).default('java'),
      })
      .strict()
      .default({ name: 'app', port: 8080, processName: 'java' }),
    /** Share (0–1) of the world's service's requests that call this service. */
    requestShare: number({ min: 0, max: 1 }).default(0.3),
    /** Calls per second one task serves before it sheds the rest. */
    capacityPerTaskRps: number({ min: 0, max: 100_000, above: true }).default(60),
    /** The calls' p99 latency when healthy, in milliseconds (CPU stress adds up to as much again). */
    latencyP99Ms: number({ min: 0, max: 60_000 }).default(50),
    /** Steady CPUUtilization of a task (percent), with every task running. */
    cpuPercent: number({ min: 0, max: 100 }).default(30),
    /** Seconds a stopped task takes to stop (STOPPING → STOPPED). */
    stopSeconds: secondsRange.default([10, 30]),
    /** Seconds from a task stopping to the scheduler launching its replacement. */
    replacementSeconds: secondsRange.default([5, 20]),
    /** Seconds a new task takes from PROVISIONING to RUNNING (image pull, container start). */
    startSeconds: secondsRange.default([30, 60]),
    tags: tags.default({}),
  })
  .strict();

export type ContainersDefinition = z.infer<typeof containersSchema>;

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

/** A fault on a task's network or CPU, while an FIS action holds it. */
export interface TaskFault {
  /** Share (0–1) of the calls the task serves that fail. */
  callFailure: number;
  /** Milliseconds added to the calls it affects. */
  addedMs: number;
  /** Share (0–1) of the task's flows the fault affects. */
  flows: number;
  /** CPU (percent) a stress holds the task at. */
  cpuPercent?: number;
}

export interface EcsTask {
  id: string;
  arn: string;
  az: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: number;
  startedAt: number | undefined;
  stoppedReason: string | undefined;
  stopCode: string | undefined;
  tags: Record<string, string>;
  faults: Set<TaskFault>;
}

/** How often the scheduler tries again when no AZ can take a task. */
const PLACEMENT_RETRY_MS = 30_000;
const MEMORY_PERCENT = 40;

export class EcsService implements WorldPart {
  readonly def: ContainersDefinition;
  readonly clusterArn: string;
  readonly serviceArn: string;
  readonly taskDefinitionArn: string;
  readonly tags: Record<string, string>;
  private readonly deps: PartDeps;
  private readonly tasksById = new Map<string, EcsTask>();
  private readonly gauges: MinuteGauges;
  private nextTask = 1;

  constructor(def: ContainersDefinition, deps: PartDeps) {
    this.def = def;
    this.deps = deps;
    this.clusterArn = deps.arn('ecs', `cluster/${def.cluster}`);
    this.serviceArn = deps.arn('ecs', `service/${def.cluster}/${def.service}`);
    this.taskDefinitionArn = deps.arn('ecs', `task-definition/${def.service}:1`);
    this.tags = { ...deps.serviceTags, ...def.tags };
    this.gauges = new MinuteGauges(deps.metrics);
    for (const az of def.availabilityZones) {
      for (let i = 0; i < def.tasksPerAz; i++) this.launch(az, true);
    }
  }

  get desiredCount(): number {
    return this.def.tasksPerAz * this.def.availabilityZones.length;
  }

  tasks(): EcsTask[] {
    return [...this.tasksById.values()];
  }

  task(id: string): EcsTask | undefined {
    return this.tasksById.get(id);
  }

  /** ECS StopTask: the task stops serving at once and is STOPPED `stopSeconds` later; the scheduler replaces it. */
  stopTasks(ids: string[], reason: string): void {
    const tasks = ids.map((id) => this.requireTask(id));
    for (const t of tasks) this.stop(t, reason, 'UserInitiated');
  }

  /**
   * Kills `processName` in the tasks (FIS aws:ecs:task-kill-process). When it is the essential
   * container's main process, the container exits and ECS stops the task. Returns the tasks it ran in.
   */
  killProcess(ids: string[], processName: string): EcsTask[] {
    const tasks = ids.map((id) => this.requireTask(id)).filter((t) => t.lastStatus === 'RUNNING');
    if (processName !== this.def.container.processName) return [];
    for (const t of tasks) {
      this.stop(t, `Essential container in task exited`, 'EssentialContainerExited');
    }
    return tasks;
  }

  /** Holds `fault` on the tasks until the returned function removes it (once). */
  addFault(ids: string[], fault: TaskFault): () => void {
    const tasks = ids.map((id) => this.requireTask(id));
    for (const t of tasks) t.faults.add(fault);
    return () => {
      for (const t of tasks) t.faults.delete(fault);
    };
  }

  private requireTask(id: string): EcsTask {
    const t = this.tasksById.get(id);
    if (!t) throw new WorldError('InvalidParameterException', `The referenced task ${id} was not found.`);
    return t;
  }

  private stop(t: EcsTask, reason: string, stopCode: string): void {
    if (t.desiredStatus === 'STOPPED') return;
    t.desiredStatus = 'STOPPED';
    t.stoppedReason = reason;
    t.stopCode = stopCode;
    t.faults.clear();
    this.setStatus(t, 'STOPPING');
    this.deps.clock.after(drawMs(this.deps.rng, this.def.stopSeconds), () => this.setStatus(t, 'STOPPED'));
    this.deps.clock.after(drawMs(this.deps.rng, this.def.replacementSeconds), () => this.reconcile());
  }

  /** The service scheduler: launches tasks until the service has its desired count again. */
  private reconcile(): void {
    const live = this.tasks().filter((t) => t.desiredStatus === 'RUNNING');
    for (let n = live.length; n < this.desiredCount; n++) {
      const az = this.placement();
      if (!az) {
        this.deps.clock.after(PLACEMENT_RETRY_MS, () => this.reconcile());
        return;
      }
      this.launch(az, false);
    }
  }

  /** The reachable AZ with the fewest of the service's tasks (AZ spread), first in the list on a tie. */
  private placement(): string | undefined {
    const live = this.tasks().filter((t) => t.desiredStatus === 'RUNNING');
    let best: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const az of this.def.availabilityZones) {
      if (!this.deps.azReachable(az)) continue;
      const n = live.filter((t) => t.az === az).length;
      if (n < fewest) {
        best = az;
        fewest = n;
      }
    }
    return best;
  }

  private launch(az: string, running: boolean): EcsTask {
    const n = this.nextTask++;
    const id = `${(0x5e55 + n).toString(16)}${n.toString(16).padStart(28, '0')}`;
    const now = this.deps.clock.now();
    const t: EcsTask = {
      id,
      arn: this.deps.arn('ecs', `task/${this.def.cluster}/${id}`),
      az,
      lastStatus: running ? 'RUNNING' : 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: now,
      startedAt: running ? now : undefined,
      stoppedReason: undefined,
      stopCode: undefined,
      tags: {
        ...this.tags,
        'aws:ecs:serviceName': this.def.service,
        'aws:ecs:clusterName': this.def.cluster,
      },
      faults: new Set(),
    };
    this.tasksById.set(id, t);
    if (!running) {
      this.publish(t);
      this.deps.clock.after(drawMs(this.deps.rng, this.def.startSeconds), () => {
        if (t.desiredStatus !== 'RUNNING') return;
        t.startedAt = this.deps.clock.now();
        this.setStatus(t, 'RUNNING');
      });
    }
    return t;
  }

  private setStatus(t: EcsTask, status: TaskStatus): void {
    if (t.lastStatus === status) return;
    t.lastStatus = status;
    this.publish(t);
  }

  /** ECS Task State Change, as ECS delivers it to EventBridge. */
  private publish(t: EcsTask): void {
    this.deps.bus.publish(
      'aws.ecs',
      'ECS Task State Change',
      {
        clusterArn: this.clusterArn,
        taskArn: t.arn,
        taskDefinitionArn: this.taskDefinitionArn,
        group: `service:${this.def.service}`,
        launchType: 'FARGATE',
        availabilityZone: t.az,
        lastStatus: t.lastStatus,
        desiredStatus: t.desiredStatus,
        ...(t.stoppedReason ? { stoppedReason: t.stoppedReason, stopCode: t.stopCode } : {}),
      },
      [t.arn],
    );
  }

  /** Tasks the service's calls reach: running, in a reachable AZ. */
  private serving(): EcsTask[] {
    return this.tasks().filter((t) => t.lastStatus === 'RUNNING' && this.deps.azReachable(t.az));
  }

  /**
   * The calls spread evenly over the serving tasks: those above the tasks' capacity are shed, a
   * task's faults fail a share of its calls, and a delay shows in the service's p99 once it
   * touches more than 1 % of the service's requests.
   */
  impact(offeredRps: number): DependencyImpact {
    const share = this.def.requestShare;
    const calls = offeredRps * share;
    if (calls <= 0) return NO_IMPACT;
    const serving = this.serving();
    if (serving.length === 0) return { errorRatio: share, addedLatencyMs: 0 };
    const shed = Math.max(0, 1 - (serving.length * this.def.capacityPerTaskRps) / calls);
    let failing = 0;
    let addedLatencyMs = 0;
    for (const t of serving) {
      let succeeds = 1;
      for (const f of t.faults) {
        succeeds *= 1 - f.callFailure * f.flows;
        if ((share / serving.length) * f.flows > 0.01) addedLatencyMs = Math.max(addedLatencyMs, f.addedMs);
      }
      failing += 1 - succeeds;
    }
    const callFailure = 1 - (1 - shed) * (1 - failing / serving.length);
    return { errorRatio: share * callFailure, addedLatencyMs };
  }

  /** A task's CPU: its share of the load (spread over fewer tasks, it works harder) or a stress's hold. */
  taskCpuPercent(t: EcsTask, running: number): number {
    const load = Math.min(100, (this.def.cpuPercent * this.desiredCount) / Math.max(1, running));
    return Math.max(load, ...[...t.faults].map((f) => f.cpuPercent ?? 0));
  }

  /**
   * ECS/ContainerInsights RunningTaskCount, PendingTaskCount and DesiredTaskCount, and AWS/ECS
   * CPUUtilization and MemoryUtilization, each by ClusterName and ServiceName.
   */
  sample(): void {
    const dims = { ClusterName: this.def.cluster, ServiceName: this.def.service };
    const running = this.tasks().filter((t) => t.lastStatus === 'RUNNING');
    const pending = this.tasks().filter((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING');
    this.gauges.add('ECS/ContainerInsights', 'RunningTaskCount', dims, running.length, 'Count');
    this.gauges.add('ECS/ContainerInsights', 'PendingTaskCount', dims, pending.length, 'Count');
    this.gauges.add('ECS/ContainerInsights', 'DesiredTaskCount', dims, this.desiredCount, 'Count');
    if (running.length === 0) return;
    const cpu = running.reduce((sum, t) => sum + this.taskCpuPercent(t, running.length), 0) / running.length;
    this.gauges.add('AWS/ECS', 'CPUUtilization', dims, cpu, 'Percent');
    this.gauges.add('AWS/ECS', 'MemoryUtilization', dims, MEMORY_PERCENT, 'Percent');
  }

  flush(minuteStart: number): void {
    this.gauges.flush(minuteStart);
  }
}
