import { documentNameOf, parseDocumentParameters } from '../../../src/fis/ssm-documents.ts';
import { parseIsoDuration } from '../../../src/time/duration.ts';
import type { TimerHandle, VirtualClock } from '../../clock.ts';
import type { AwsEvent, EventBus } from '../../events.ts';
import { type Disruption, type Instance, type World, WorldError } from '../../world/world.ts';
import type { ResolvedResource } from './model.ts';
import { KILL_PROCESS_DOCUMENT } from './support.ts';

/** What a running action may touch and how it reports back to the experiment. */
export interface ActionContext {
  readonly world: World;
  readonly bus: EventBus;
  readonly clock: VirtualClock;
  readonly experimentId: string;
  /** Validated parameters from the template. */
  readonly parameters: Record<string, string>;
  /** The resources the action's target resolved to (empty for actions that take no target). */
  readonly resources: ResolvedResource[];
  complete(): void;
  fail(reason: string): void;
}

export interface RunningAction {
  /**
   * Stops the action early and rolls back what it can (restarts stopped instances, ends a network
   * disruption); `done` is called once the rollback has been carried out.
   */
  stop(done: () => void): void;
}

/** Starts an action; a WorldError thrown here fails the action with the world's code and message. */
export type ActionRunner = (ctx: ActionContext) => RunningAction;

const NOTHING_TO_STOP: RunningAction = { stop: (done) => done() };

const gone = (i: Instance) => i.state === 'terminated' || i.state === 'shutting-down';

function requireInstances(world: World, ids: string[]): Instance[] {
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
function watchInstances(bus: EventBus, ids: readonly string[], check: () => boolean): () => void {
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

function transitionReason(ctx: ActionContext): string {
  return `User initiated (AWS FIS experiment ${ctx.experimentId})`;
}

/**
 * aws:ec2:stop-instances. Completes once the instances are stopped, or, with
 * `startInstancesAfterDuration`, once they are running again after that time. Stopping the
 * experiment early restarts them at once (FIS does so when the restart parameter is set).
 */
const stopInstances: ActionRunner = (ctx) => {
  // FIS reads booleans whatever their case (the catalog takes True as well as true).
  const completeIfTerminated = ctx.parameters.completeIfInstancesTerminated?.toLowerCase() === 'true';
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
  const cancel = watchInstances(ctx.bus, ids, () => {
    if (!ids.every((id) => ctx.world.instance(id)!.state === 'terminated')) return false;
    ctx.complete();
    return true;
  });
  return {
    stop(done) {
      cancel();
      done();
    },
  };
};

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

/** aws:network:disrupt-connectivity: the subnets drop traffic for `duration`; stopping ends it at once. */
const disruptConnectivity: ActionRunner = (ctx) => {
  const durationMs = durationParam(ctx, 'duration')!;
  const scope = (ctx.parameters.scope ?? 'all') as Disruption['scope'];
  const disruption = ctx.world.disruptConnectivity(
    ctx.resources.map((r) => r.id),
    scope,
    durationMs,
  );
  const timer = ctx.clock.after(durationMs, () => ctx.complete());
  return {
    stop(done) {
      ctx.clock.cancel(timer);
      ctx.world.endDisruption(disruption);
      done();
    },
  };
};

/** aws:rds:failover-db-cluster: completes once every cluster is available again; a failover cannot be undone. */
const failoverDbCluster: ActionRunner = (ctx) => {
  const ids = ctx.resources.map((r) => r.id);
  for (const id of ids) {
    const c = ctx.world.dbCluster(id);
    if (!c) throw new WorldError('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
    if (c.status !== 'available') {
      throw new WorldError(
        'InvalidDBClusterStateFault',
        `DBCluster ${id} is not in available state (it is ${c.status}).`,
      );
    }
  }
  const ends = ids.map((id) => ctx.world.failoverDbCluster(id).failoverEndsAt ?? ctx.clock.now());
  let timer: TimerHandle | undefined;
  const check = (): void => {
    if (ids.every((id) => ctx.world.dbCluster(id)?.status === 'available')) ctx.complete();
    else timer = ctx.clock.after(1_000, check);
  };
  // The world finishes the failover on a timer set before this one, at the same instant, so it runs first.
  timer = ctx.clock.at(Math.max(...ends), check);
  return {
    stop(done) {
      ctx.clock.cancel(timer);
      done();
    },
  };
};

/**
 * aws:ssm:send-command running AWSFIS-Run-Kill-Process (the only document the catalogue lets
 * through): kills the named process on every target, which must be running (SSM reaches no other).
 * Only the service's process exists on the sandbox's hosts; naming another fails the command, as
 * killall finds nothing. Done once the process is dead: nothing to roll back, the host restarts it
 * only when it boots again.
 */
const sendCommand: ActionRunner = (ctx) => {
  const arn = ctx.parameters.documentArn!;
  const region = arn.split(':')[3];
  if (documentNameOf(arn) !== KILL_PROCESS_DOCUMENT || region !== ctx.world.def.region) {
    throw new WorldError('InvalidDocument', `Document ${arn} does not exist in ${ctx.world.def.region}.`);
  }
  const params = parseDocumentParameters(ctx.parameters.documentParameters ?? '{}');
  const processName = typeof params === 'string' ? undefined : String(params.ProcessName);
  const instances = requireInstances(
    ctx.world,
    ctx.resources.map((r) => r.id),
  );
  const notRunning = instances.find((i) => i.state !== 'running');
  if (notRunning) {
    throw new WorldError(
      'InvalidInstanceId',
      `Instance ${notRunning.id} is not in a valid state for sending a command (it is ${notRunning.state}).`,
    );
  }
  const killed =
    processName === ctx.world.def.service.name
      ? ctx.world.killServiceProcess(instances.map((i) => i.id))
      : [];
  const missed = instances.filter((i) => !killed.includes(i));
  if (missed.length > 0) {
    ctx.fail(
      `The command ${KILL_PROCESS_DOCUMENT} failed on ${missed.map((i) => i.id).join(', ')}: no process named '${processName}' is running.`,
    );
  } else {
    ctx.complete();
  }
  return NOTHING_TO_STOP;
};

/** aws:fis:wait. */
const wait: ActionRunner = (ctx) => {
  const timer = ctx.clock.after(durationParam(ctx, 'duration')!, () => ctx.complete());
  return {
    stop(done) {
      ctx.clock.cancel(timer);
      done();
    },
  };
};

/** One runner per action the sandbox models (support.ts), keyed by action id. */
export const ACTION_RUNNERS: Readonly<Record<string, ActionRunner>> = {
  'aws:ec2:stop-instances': stopInstances,
  'aws:ec2:terminate-instances': terminateInstances,
  'aws:ec2:reboot-instances': rebootInstances,
  'aws:network:disrupt-connectivity': disruptConnectivity,
  'aws:rds:failover-db-cluster': failoverDbCluster,
  'aws:ssm:send-command': sendCommand,
  'aws:fis:wait': wait,
};
