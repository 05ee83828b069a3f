import type { FieldPath } from '../../../src/fis/problem.ts';
import { parseIsoDuration } from '../../../src/time/duration.ts';
import type { EcsService, TaskFault } from '../ecs.ts';
import { WorldError } from '../errors.ts';
import type { World } from '../world.ts';
import {
  type ActionContext,
  type ActionRunner,
  type ActionSupport,
  candidate,
  listParameter,
  NOTHING_TO_STOP,
  timedFault,
  transitionReason,
  type WorldKind,
} from './kind.ts';

/**
 * ECS on Fargate: the service's tasks (aws:ecs:task) and its cluster (aws:ecs:cluster);
 * aws:ecs:stop-task, aws:ecs:task-kill-process and the task network and CPU faults. The world
 * injects a task fault the same way whether or not `useEcsFaultInjectionEndpoints` is set and
 * whatever `installDependencies` says: it models neither the SSM agent sidecar nor ECS's fault
 * injection endpoints, only the fault's effect. Not modelled (refused, they run on AWS):
 * aws:ecs:task-io-stress (the world's calls do not touch the tasks' disks) and
 * aws:ecs:drain-container-instances (Fargate has no container instances).
 */

function service(world: World): EcsService {
  const s = world.containers;
  if (!s) throw new WorldError('ClusterNotFoundException', 'The world has no ECS cluster.');
  return s;
}

function taskIds(ctx: ActionContext): string[] {
  return ctx.resources.map((r) => r.id);
}

const percent = (value: string | undefined, fallback: number) => Number(value ?? fallback) / 100;

/** Holds `fault` on the target tasks for `duration`; stopping the experiment removes it at once. */
function holdFault(ctx: ActionContext, fault: TaskFault): ReturnType<ActionRunner> {
  const ms = parseIsoDuration(ctx.parameters.duration!)!;
  const remove = service(ctx.world).addFault(taskIds(ctx), fault);
  return timedFault(ctx, ms, remove);
}

/** aws:ecs:stop-task: ECS StopTask on each task; done once ECS accepts it. The scheduler replaces them. */
const stopTask: ActionRunner = (ctx) => {
  service(ctx.world).stopTasks(taskIds(ctx), transitionReason(ctx));
  ctx.complete();
  return NOTHING_TO_STOP;
};

/**
 * aws:ecs:task-kill-process: kills `processName` in each task. The essential container's main
 * process takes the container, and so the task, with it: ECS stops the task and the scheduler
 * replaces it. A process no task runs fails the action, as the command finding nothing to kill does.
 */
const killProcess: ActionRunner = (ctx) => {
  const name = ctx.parameters.processName!;
  const killed = service(ctx.world).killProcess(taskIds(ctx), name);
  if (killed.length === 0) ctx.fail(`No process named ${name} runs in the target tasks.`);
  else ctx.complete();
  return NOTHING_TO_STOP;
};

/** One retransmission timeout: what a lost packet adds to a call that gets through. */
const RETRANSMIT_MS = 200;

/**
 * aws:ecs:task-network-packet-loss: `lossPercent` of the tasks' outgoing packets are dropped.
 * TCP retransmits: a call is slowed by a retransmission timeout, and fails only when its packet
 * is lost three times running (clients give up after two retries), all of them at 100 %.
 */
const packetLoss: ActionRunner = (ctx) => {
  const loss = percent(ctx.parameters.lossPercent, 7);
  return holdFault(ctx, {
    callFailure: loss ** 3,
    addedMs: loss > 0 && loss < 1 ? RETRANSMIT_MS : 0,
    flows: percent(ctx.parameters.flowsPercent, 100),
  });
};

/** aws:ecs:task-network-latency: `delayMilliseconds` (and up to `jitterMilliseconds`) on the calls' replies. */
const networkLatency: ActionRunner = (ctx) =>
  holdFault(ctx, {
    callFailure: 0,
    addedMs:
      Number(ctx.parameters.delayMilliseconds ?? 200) + Number(ctx.parameters.jitterMilliseconds ?? 10),
    flows: percent(ctx.parameters.flowsPercent, 100),
  });

/**
 * aws:ecs:task-network-blackhole-port (ingress): connections to `port` are dropped. On the port
 * the container listens on (TCP), every call to the task times out; any other port has nothing
 * listening, so nothing changes.
 */
const blackholePort: ActionRunner = (ctx) => {
  const c = service(ctx.world).def.container;
  const hits = Number(ctx.parameters.port) === c.port && (ctx.parameters.protocol ?? 'tcp') === 'tcp';
  return holdFault(ctx, { callFailure: hits ? 1 : 0, addedMs: 0, flows: 1 });
};

/**
 * aws:ecs:task-cpu-stress: the tasks' CPU is held at `percent` (CPUUtilization shows it). Above 70 %
 * their calls slow down, by up to their own p99 again at 100 %.
 */
const cpuStress: ActionRunner = (ctx) => {
  const cpu = Number(ctx.parameters.percent ?? 100);
  const p99 = service(ctx.world).def.latencyP99Ms;
  return holdFault(ctx, {
    callFailure: 0,
    addedMs: (p99 * Math.max(0, cpu - 70)) / 30,
    flows: 1,
    cpuPercent: cpu,
  });
};

/** Whether a `sources` entry covers the calls the world models: its callers, in the VPC 10.0.0.0/16. */
function coversCallers(source: string): boolean {
  if (source === 'ALL') return true;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(source);
  if (!m) return false;
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 16) return false;
  const ip = m.slice(1, 5).map(Number);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const value = ((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) >>> 0;
  return (value & mask) >>> 0 === ((10 << 24) & mask) >>> 0;
}

/** `sources` the world can show an effect of: the tasks' traffic with their callers. */
function checkSources(p: Record<string, string>): { path: FieldPath; detail: string }[] {
  const sources = listParameter(p.sources ?? 'ALL');
  if (sources.some(coversCallers)) return [];
  return [
    {
      path: ['parameters', 'sources'],
      detail: `${sources.join(',')} is traffic the sandbox's world does not model (it runs on AWS); the world models the tasks' traffic with their callers: ALL, 0.0.0.0/0 or a CIDR that covers 10.0.0.0/16`,
    },
  ];
}

const networkFault = (run: ActionRunner): ActionSupport => ({ checkParameters: checkSources, run });

export const ecsKind: WorldKind = {
  name: 'ECS tasks',
  resourceTypes: {
    'aws:ecs:task': {
      filterPaths: [
        'TaskArn',
        'ClusterArn',
        'TaskDefinitionArn',
        'AvailabilityZone',
        'LastStatus',
        'DesiredStatus',
        'LaunchType',
        'Group',
      ],
      candidates: (world) => {
        const s = world.containers;
        if (!s) return [];
        return s
          .tasks()
          .filter((t) => t.desiredStatus === 'RUNNING')
          .map((t) =>
            candidate(
              t,
              {
                TaskArn: t.arn,
                ClusterArn: s.clusterArn,
                TaskDefinitionArn: s.taskDefinitionArn,
                AvailabilityZone: t.az,
                LastStatus: t.lastStatus,
                DesiredStatus: t.desiredStatus,
                LaunchType: 'FARGATE',
                Group: `service:${s.def.service}`,
              },
              (name, value) =>
                (name === 'cluster' && (value === s.def.cluster || value === s.clusterArn)) ||
                (name === 'service' && (value === s.def.service || value === s.serviceArn)),
            ),
          );
      },
    },
    'aws:ecs:cluster': {
      filterPaths: ['ClusterName', 'Status'],
      candidates: (world) => {
        const s = world.containers;
        if (!s) return [];
        return [
          candidate(
            { id: s.def.cluster, arn: s.clusterArn, tags: s.tags },
            { ClusterName: s.def.cluster, Status: 'ACTIVE' },
          ),
        ];
      },
    },
  },
  actions: {
    'aws:ecs:stop-task': { run: stopTask },
    'aws:ecs:task-kill-process': { run: killProcess },
    'aws:ecs:task-network-packet-loss': networkFault(packetLoss),
    'aws:ecs:task-network-latency': networkFault(networkLatency),
    'aws:ecs:task-network-blackhole-port': {
      checkParameters: (p) =>
        p.trafficType === 'egress'
          ? [
              {
                path: ['parameters', 'trafficType'],
                detail:
                  "egress is the tasks' own outbound connections, which the sandbox's world does not model (it runs on AWS); ingress on the container's port is",
              },
            ]
          : [],
      run: blackholePort,
    },
    'aws:ecs:task-cpu-stress': { run: cpuStress },
  },
};
