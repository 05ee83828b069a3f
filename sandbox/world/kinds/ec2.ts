import { parseIsoDuration } from '../../../src/time/duration.ts';
import type { TimerHandle } from '../../clock.ts';
import type { AwsEvent, EventBus } from '../../events.ts';
import { WorldError } from '../errors.ts';
import { INSTANCE_STATE_CODES, type Instance } from '../instance.ts';
import type { World } from '../world.ts';
import {
  type ActionContext,
  type ActionRunner,
  type Candidate,
  candidate,
  isTrue,
  NOTHING_TO_STOP,
  transitionReason,
  type WorldKind,
} from './kind.ts';

/** EC2 instances (on-demand and Spot): stop, terminate, reboot, and Spot interruptions. */

const gone = (i: Instance) => i.state === 'terminated' || i.state === 'shutting-down';

export function requireInstances(world: World, ids: string[]): Instance[] {
  return ids.map((id) => {
    const inst = world.instance(id);
    if (!inst) throw new WorldError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return inst;
  });
}

function isStateChangeOf(e: AwsEvent, ids: readonly string[]): boolean {
  return (
    e.source === 'aws.ec2' &&
    e['detail-type'] === 'EC2 Instance State-change Notification' &&
    ids.includes(String(e.detail['instance-id']))
  );
}

/**
 * Runs `check` now and after every state change of the instances until it returns true. World calls
 * made inside `check` publish state changes synchronously, so nested notifications are queued
 * and re-run after the current check instead of re-entering it.
 */
export function watchInstances(bus: EventBus, ids: readonly string[], check: () => boolean): () => void {
  let finished = false;
  let inCheck = false;
  let again = false;
  const run = (): void => {
    if (finished) return;
    if (inCheck) {
      again = true;
      return;
    }
    inCheck = true;
    try {
      do {
        again = false;
        if (check()) cancel();
      } while (again && !finished);
    } finally {
      inCheck = false;
    }
  };
  const unsubscribe = bus.subscribe((e) => {
    if (isStateChangeOf(e, ids)) run();
  });
  const cancel = (): void => {
    finished = true;
    unsubscribe();
  };
  run();
  return cancel;
}

function durationParam(ctx: ActionContext, name: string): number | undefined {
  const text = ctx.parameters[name];
  return text === undefined ? undefined : parseIsoDuration(text);
}

/**
 * aws:ec2:stop-instances. Completes once the instances are stopped, or, with
 * `startInstancesAfterDuration`, once they are running again after that time. Stopping the
 * experiment early restarts them at once (FIS does so when the restart parameter is set).
 */
const stopInstances: ActionRunner = (ctx) => {
  const completeIfTerminated = isTrue(ctx.parameters.completeIfInstancesTerminated);
  const restartAfterMs = durationParam(ctx, 'startInstancesAfterDuration');
  const instances = requireInstances(
    ctx.world,
    ctx.resources.map((r) => r.id),
  );
  // EC2 refuses a StopInstances call as a whole when one instance cannot be stopped: check first
  // so that a refusal stops none of them.
  const refused = instances.find(gone);
  if (refused && !completeIfTerminated) {
    throw new WorldError(
      'IncorrectInstanceState',
      `The instance '${refused.id}' is not in a state from which it can be stopped.`,
    );
  }
  const ids = instances.filter((i) => !gone(i)).map((i) => i.id);
  ctx.world.stopInstances(ids, transitionReason(ctx));

  let cancelWatch = (): void => {};
  let restartTimer: TimerHandle | undefined;
  let restartIssued = false;

  /** An instance terminated under the action (by Auto Scaling, say), when that fails the action. */
  const lostInstance = (): string | undefined =>
    completeIfTerminated ? undefined : ids.find((id) => gone(ctx.world.instance(id)!));
  const failLost = (id: string) =>
    ctx.fail(`The instance ${id} was terminated while the action was running.`);

  /** Starts every stopped instance, waiting for those still stopping (EC2 cannot start them yet). */
  const restart = (onIssued: () => void): void => {
    const toStart = new Set(ids);
    cancelWatch = watchInstances(ctx.bus, ids, () => {
      for (const id of [...toStart]) {
        const inst = ctx.world.instance(id)!;
        if (inst.state === 'stopping') continue;
        toStart.delete(id);
        if (inst.state === 'stopped') ctx.world.startInstances([id], transitionReason(ctx));
      }
      if (toStart.size > 0) return false;
      restartIssued = true;
      onIssued();
      return true;
    });
  };

  const waitUntilAll = (state: Instance['state']) => {
    cancelWatch = watchInstances(ctx.bus, ids, () => {
      const lost = lostInstance();
      if (lost) {
        failLost(lost);
        return true;
      }
      if (!ids.every((id) => ctx.world.instance(id)!.state === state || gone(ctx.world.instance(id)!)))
        return false;
      ctx.complete();
      return true;
    });
  };

  if (restartAfterMs === undefined) {
    waitUntilAll('stopped');
  } else {
    restartTimer = ctx.clock.after(restartAfterMs, () => {
      restartTimer = undefined;
      const lost = lostInstance();
      // The survivors are started even when the action fails: the fault must not outlive it.
      restart(() => (lost ? failLost(lost) : waitUntilAll('running')));
    });
  }

  return {
    stop(done) {
      ctx.clock.cancel(restartTimer);
      cancelWatch();
      if (restartAfterMs !== undefined && !restartIssued) restart(done);
      else done();
    },
  };
};

/** aws:ec2:terminate-instances: completes once every instance is terminated; there is nothing to roll back. */
const terminateInstances: ActionRunner = (ctx) => {
  const ids = requireInstances(
    ctx.world,
    ctx.resources.map((r) => r.id),
  ).map((i) => i.id);
  ctx.world.terminateInstances(ids, transitionReason(ctx));
  return untilTerminated(ctx, ids);
};

function untilTerminated(ctx: ActionContext, ids: string[]) {
  const cancel = watchInstances(ctx.bus, ids, () => {
    if (!ids.every((id) => ctx.world.instance(id)!.state === 'terminated')) return false;
    ctx.complete();
    return true;
  });
  return {
    stop(done: () => void) {
      cancel();
      done();
    },
  };
}

/** aws:ec2:reboot-instances: done as soon as EC2 accepts the reboot. */
const rebootInstances: ActionRunner = (ctx) => {
  const instances = requireInstances(
    ctx.world,
    ctx.resources.map((r) => r.id),
  );
  // RebootInstances is all-or-nothing too.
  const notRunning = instances.find((i) => i.state !== 'running');
  if (notRunning) {
    throw new WorldError('IncorrectInstanceState', `The instance '${notRunning.id}' is not running.`);
  }
  ctx.world.rebootInstances(instances.map((i) => i.id));
  ctx.complete();
  return NOTHING_TO_STOP;
};

/**
 * aws:ec2:send-spot-instance-interruptions: EC2 sends each Spot Instance a rebalance
 * recommendation and an interruption notice at once, then interrupts it
 * (terminates it) `durationBeforeInterruption` later. The action completes when the instances
 * are terminated. A notice cannot be withdrawn: stopping the experiment ends the action but the
 * instances are interrupted all the same.
 */
const sendSpotInterruptions: ActionRunner = (ctx) => {
  const instances = requireInstances(
    ctx.world,
    ctx.resources.map((r) => r.id),
  );
  const notSpot = instances.find((i) => i.lifecycle !== 'spot');
  if (notSpot) {
    throw new WorldError('InvalidInstanceID', `The instance '${notSpot.id}' is not a Spot Instance.`);
  }
  const running = instances.filter((i) => i.state === 'running');
  const ms = durationParam(ctx, 'durationBeforeInterruption')!;
  ctx.world.interruptSpotInstances(
    running.map((i) => i.id),
    ms,
  );
  return untilTerminated(
    ctx,
    running.map((i) => i.id),
  );
};

function describeInstance(i: Instance): Record<string, unknown> {
  return {
    InstanceId: i.id,
    InstanceType: i.instanceType,
    ImageId: i.imageId,
    SubnetId: i.subnetId,
    VpcId: i.vpcId,
    PrivateIpAddress: i.privateIp,
    Placement: { AvailabilityZone: i.az },
    State: { Name: i.state, Code: INSTANCE_STATE_CODES[i.state] },
    ...(i.lifecycle === 'spot' ? { InstanceLifecycle: 'spot' } : {}),
  };
}

const INSTANCE_FILTER_PATHS = [
  'InstanceId',
  'InstanceType',
  'ImageId',
  'SubnetId',
  'VpcId',
  'PrivateIpAddress',
  'Placement.AvailabilityZone',
  'State.Name',
  'State.Code',
];

function instanceCandidates(instances: Instance[]): Candidate[] {
  return instances.map((i) => candidate(i, describeInstance(i)));
}

export const ec2Kind: WorldKind = {
  name: 'EC2 instances',
  resourceTypes: {
    'aws:ec2:instance': {
      filterPaths: INSTANCE_FILTER_PATHS,
      candidates: (world) => instanceCandidates(world.instances()),
    },
    'aws:ec2:spot-instance': {
      filterPaths: [...INSTANCE_FILTER_PATHS, 'InstanceLifecycle'],
      candidates: (world) => instanceCandidates(world.instances().filter((i) => i.lifecycle === 'spot')),
    },
  },
  actions: {
    'aws:ec2:stop-instances': { run: stopInstances },
    'aws:ec2:terminate-instances': { run: terminateInstances },
    'aws:ec2:reboot-instances': { run: rebootInstances },
    'aws:ec2:send-spot-instance-interruptions': { run: sendSpotInterruptions },
  },
};
