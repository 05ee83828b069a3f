import type { AlarmStateValue } from '../../backends/alarms.ts';
import type { TimerHandle, VirtualClock } from '../../clock.ts';
import type { SandboxLinks } from '../../context.ts';
import type { AwsEvent, EventBus } from '../../events.ts';
import type { RandomStream } from '../../rng.ts';
import type { ActionContext, RunningAction } from '../../world/kinds/kind.ts';
import { WORLD_ACTIONS } from '../../world/kinds/registry.ts';
import { type World, WorldError } from '../../world/world.ts';
import type { ActionStatus, ExperimentRecord, ExperimentStatus } from './model.ts';
import { resolveTarget } from './targets.ts';

export interface RunnerDeps {
  clock: VirtualClock;
  world: World;
  bus: EventBus;
  alarms: { stateOf(alarmArn: string): AlarmStateValue | undefined };
  /** The seeded stream target selection draws from. */
  rng: RandomStream;
  /** The sandbox's other services, which some actions call (SSM for aws:ssm:*). */
  links: SandboxLinks;
}

/** How long FIS takes to pick an experiment up, and to resolve its targets before the actions start. */
export const INITIATE_AFTER_MS = 1_000;
export const RUN_AFTER_MS = 2_000;

const DONE_ACTION: ReadonlySet<ActionStatus> = new Set(['completed', 'skipped']);

/** What only exists while an experiment is live: its next timer and its running actions. */
interface Live {
  timer: TimerHandle | undefined;
  running: Map<string, RunningAction>;
}

/**
 * Runs experiments on the virtual clock: pending → initiating (stop conditions checked, targets
 * resolved once) → running (actions in startAfter order) → completed; or stopping → stopped,
 * failed, cancelled. Every experiment state change is published on the bus as AWS FIS does.
 */
export class ExperimentRunner {
  private readonly deps: RunnerDeps;
  private readonly live = new Map<string, Live>();

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  /** Stops experiments whose stop-condition alarm enters ALARM. Returns the unsubscribe function. */
  watchStopConditions(experiments: () => Iterable<ExperimentRecord>): () => void {
    return this.deps.bus.subscribe((e) => {
      const alarmArn = alarmEnteringAlarm(e);
      if (!alarmArn) return;
      for (const exp of experiments()) {
        if (exp.state.status !== 'initiating' && exp.state.status !== 'running') continue;
        if (!exp.stopConditions.some((c) => c.source === 'aws:cloudwatch:alarm' && c.value === alarmArn))
          continue;
        this.stop(exp, `Experiment stopped by stop condition: the alarm ${alarmArn} entered ALARM.`);
      }
    });
  }

  /** Takes over an experiment that StartExperiment has just created in `pending`. */
  begin(exp: ExperimentRecord): void {
    const live: Live = { timer: undefined, running: new Map() };
    this.live.set(exp.id, live);
    live.timer = this.deps.clock.after(INITIATE_AFTER_MS, () => this.initiate(exp, live));
  }

  /**
   * StopExperiment, or a stop condition. Before the experiment runs this cancels it; while it runs
   * every running action is rolled back and the experiment is `stopped` once that is done.
   */
  stop(exp: ExperimentRecord, reason: string): void {
    const live = this.live.get(exp.id);
    if (!live) return;
    const status = exp.state.status;
    if (status === 'pending' || status === 'initiating') {
      this.deps.clock.cancel(live.timer);
      for (const a of Object.values(exp.actions)) {
        a.state = { status: 'cancelled', reason: 'The experiment was stopped before the action started.' };
      }
      this.finish(exp, 'cancelled', reason);
      return;
    }
    if (status !== 'running') return;
    this.setStatus(exp, 'stopping', reason);
    this.cancelPendingActions(exp);
    const count = live.running.size;
    let rollingBack = count;
    // Leave `stopping` on the clock rather than inside this call, so that callers always see it.
    const settle = () => {
      live.timer = this.deps.clock.after(0, () => this.finish(exp, 'stopped', reason));
    };
    this.rollBackAll(exp, live, () => {
      rollingBack -= 1;
      if (rollingBack === 0) settle();
    });
    if (count === 0) settle();
  }

  private initiate(exp: ExperimentRecord, live: Live): void {
    live.timer = undefined;
    this.setStatus(exp, 'initiating', 'Experiment is initiating.');
    for (const c of exp.stopConditions) {
      if (c.source !== 'aws:cloudwatch:alarm' || c.value === undefined) continue;
      const state = this.deps.alarms.stateOf(c.value);
      if (state === undefined) {
        this.fail(exp, `The stop condition alarm ${c.value} does not exist.`);
        return;
      }
      if (state === 'ALARM') {
        this.fail(
          exp,
          `The stop condition alarm ${c.value} is in ALARM state, so the experiment cannot start.`,
        );
        return;
      }
    }
    for (const [name, target] of Object.entries(exp.targets)) {
      const resolved = resolveTarget(name, target, this.deps.world, this.deps.rng);
      if (resolved.length === 0 && exp.experimentOptions.emptyTargetResolutionMode === 'fail') {
        this.fail(exp, `Target resolution returned no resources for target ${name}.`);
        return;
      }
      exp.resolvedTargets.push(...resolved);
    }
    this.publishResolvedTargets(exp);
    live.timer = this.deps.clock.after(RUN_AFTER_MS, () => this.run(exp, live));
  }

  private run(exp: ExperimentRecord, live: Live): void {
    live.timer = undefined;
    this.setStatus(exp, 'running', 'Experiment is running.');
    if (exp.experimentOptions.actionsMode === 'skip-all') {
      for (const a of Object.values(exp.actions)) {
        a.state = {
          status: 'skipped',
          reason: 'Action skipped: the experiment runs with actionsMode skip-all.',
        };
      }
    }
    this.startReadyActions(exp);
  }

  /** Starts every pending action whose startAfter actions are done; completes the experiment when all are. */
  private startReadyActions(exp: ExperimentRecord): void {
    for (const [name, a] of Object.entries(exp.actions)) {
      if (exp.state.status !== 'running') return;
      if (a.state.status !== 'pending') continue;
      if (!(a.startAfter ?? []).every((b) => DONE_ACTION.has(exp.actions[b]!.state.status))) continue;
      this.startAction(exp, name);
    }
    if (exp.state.status !== 'running') return;
    if (Object.values(exp.actions).every((a) => DONE_ACTION.has(a.state.status))) {
      this.finish(exp, 'completed', 'Experiment completed.');
    }
  }

  private startAction(exp: ExperimentRecord, name: string): void {
    const a = exp.actions[name]!;
    const live = this.live.get(exp.id)!;
    const targetName = Object.values(a.targets ?? {})[0];
    const resources = exp.resolvedTargets.filter((r) => r.targetName === targetName);
    const now = this.deps.clock.now();
    if (targetName !== undefined && resources.length === 0) {
      // Only reachable with emptyTargetResolutionMode `skip`: `fail` has already failed the experiment.
      a.state = { status: 'skipped', reason: `No resources were found for target ${targetName}.` };
      a.startTime = now;
      a.endTime = now;
      return;
    }
    a.state = { status: 'running', reason: 'Action is running.' };
    a.startTime = now;
    const ctx: ActionContext = {
      world: this.deps.world,
      bus: this.deps.bus,
      clock: this.deps.clock,
      experimentId: exp.id,
      ssm: this.deps.links.ssm,
      parameters: a.parameters ?? {},
      resources,
      targetParameters: (targetName !== undefined && exp.targets[targetName]?.parameters) || {},
      complete: () => this.actionCompleted(exp, name),
      fail: (reason) => this.actionFailed(exp, name, reason),
    };
    const runAction = Object.hasOwn(WORLD_ACTIONS, a.actionId) ? WORLD_ACTIONS[a.actionId]!.run : undefined;
    if (!runAction) {
      this.actionFailed(exp, name, `The sandbox cannot run ${a.actionId}.`);
      return;
    }
    let handle: RunningAction;
    try {
      handle = runAction(ctx);
    } catch (e) {
      // A refusal by the world fails the action as EC2 or RDS would; anything else is the sandbox's
      // own fault, but it must fail this experiment rather than the clock that runs every other one.
      const reason =
        e instanceof WorldError
          ? `${e.code}: ${e.message}`
          : `InternalFailure: ${e instanceof Error ? e.message : e}`;
      this.actionFailed(exp, name, reason);
      return;
    }
    // The action may have finished inside its own start (a reboot is done once EC2 accepts it).
    if (a.state.status === 'running') live.running.set(name, handle);
  }

  private actionCompleted(exp: ExperimentRecord, name: string): void {
    const a = exp.actions[name]!;
    if (a.state.status !== 'running') return;
    a.state = { status: 'completed', reason: 'Action completed.' };
    a.endTime = this.deps.clock.now();
    this.live.get(exp.id)?.running.delete(name);
    this.startReadyActions(exp);
  }

  private actionFailed(exp: ExperimentRecord, name: string, reason: string): void {
    const a = exp.actions[name]!;
    if (a.state.status !== 'running') return;
    a.state = { status: 'failed', reason };
    a.endTime = this.deps.clock.now();
    this.live.get(exp.id)?.running.delete(name);
    this.fail(exp, `Action ${name} (${a.actionId}) failed: ${reason}`);
  }

  /** Fails the experiment; running actions are still rolled back, so no fault outlives it. */
  private fail(exp: ExperimentRecord, reason: string): void {
    const live = this.live.get(exp.id);
    if (live) {
      this.deps.clock.cancel(live.timer);
      this.rollBackAll(exp, live, () => {});
    }
    this.cancelPendingActions(exp);
    this.finish(exp, 'failed', reason);
  }

  /**
   * Stops every running action; `onEach` is called as each rollback is carried out. All are marked
   * `stopping` first because a rollback may finish inside its own stop call.
   */
  private rollBackAll(exp: ExperimentRecord, live: Live, onEach: () => void): void {
    const handles = [...live.running];
    live.running.clear();
    for (const [name] of handles)
      exp.actions[name]!.state = { status: 'stopping', reason: 'Action is stopping.' };
    for (const [name, handle] of handles) {
      const a = exp.actions[name]!;
      handle.stop(() => {
        a.state = { status: 'stopped', reason: 'Action stopped.' };
        a.endTime = this.deps.clock.now();
        onEach();
      });
    }
  }

  private cancelPendingActions(exp: ExperimentRecord): void {
    for (const a of Object.values(exp.actions)) {
      if (a.state.status === 'pending') {
        a.state = { status: 'cancelled', reason: 'The experiment ended before the action started.' };
      }
    }
  }

  private finish(exp: ExperimentRecord, status: ExperimentStatus, reason: string): void {
    const live = this.live.get(exp.id);
    if (live) this.deps.clock.cancel(live.timer);
    this.live.delete(exp.id);
    exp.endTime = this.deps.clock.now();
    this.setStatus(exp, status, reason);
  }

  private setStatus(exp: ExperimentRecord, status: ExperimentStatus, reason: string): void {
    const old = exp.state;
    exp.state = { status, reason };
    this.deps.bus.publish(
      'aws.fis',
      'FIS Experiment State Change',
      {
        'experiment-id': exp.id,
        'experiment-template-id': exp.experimentTemplateId,
        'new-state': { status, reason },
        'old-state': { status: old.status, reason: old.reason },
      },
      [exp.arn],
    );
  }

  /**
   * AWS FIS has no event for this; the sandbox publishes one under its own source so that a
   * timeline can say which resources an experiment hit without polling ListExperimentResolvedTargets.
   */
  private publishResolvedTargets(exp: ExperimentRecord): void {
    this.deps.bus.publish(
      'faultline.sandbox',
      'FIS Experiment Targets Resolved',
      {
        'experiment-id': exp.id,
        'experiment-template-id': exp.experimentTemplateId,
        'resolved-targets': exp.resolvedTargets.map((r) => ({
          'target-name': r.targetName,
          'resource-type': r.resourceType,
          'resource-id': r.id,
          'resource-arn': r.arn,
        })),
      },
      [exp.arn, ...exp.resolvedTargets.map((r) => r.arn)],
    );
  }
}

/** The alarm ARN of a CloudWatch `Alarm State Change` event whose new state is ALARM. */
function alarmEnteringAlarm(e: AwsEvent): string | undefined {
  if (e.source !== 'aws.cloudwatch' || e['detail-type'] !== 'CloudWatch Alarm State Change') return undefined;
  const state = e.detail.state as { value?: unknown } | undefined;
  if (state?.value !== 'ALARM') return undefined;
  return e.resources[0];
}
