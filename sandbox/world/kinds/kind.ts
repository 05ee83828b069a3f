import type { FieldPath } from '../../../src/fis/problem.ts';
import type { TimerHandle, VirtualClock } from '../../clock.ts';
import type { EventBus } from '../../events.ts';
import type { SsmPort } from '../../services/ssm/port.ts';
import type { World } from '../world.ts';

/**
 * One kind of resource of the simulated world (instances, subnets, clusters, functions, tables…):
 * what FIS can target of it, and the FIS actions that act on it. Each kind is one module under
 * sandbox/world/kinds/, listed once in registry.ts: the sandbox's FIS validates, resolves and runs
 * only what the kinds there declare, so adding a kind touches no other.
 */
export interface WorldKind {
  /** The kind, for messages and docs: `EC2 instances`. */
  name: string;
  /** FIS resource types whose targets this kind resolves, by type (`aws:ec2:instance`). */
  resourceTypes?: Readonly<Record<string, ResourceTypeSupport>>;
  /** FIS actions this kind runs, by id (`aws:ec2:stop-instances`). */
  actions?: Readonly<Record<string, ActionSupport>>;
}

/** A resource FIS could target, seen the way the owning service's Describe API shows it. */
export interface Candidate {
  id: string;
  arn: string;
  tags: Record<string, string>;
  /** What filter paths are read from (`Placement.AvailabilityZone`, `State.Name`, …). */
  described: Record<string, unknown>;
  /** Target parameters (`availabilityZoneIdentifier`, …) this resource satisfies. */
  matchesParameter(name: string, value: string): boolean;
}

export interface ResourceTypeSupport {
  /** The filter paths it can resolve, into `described`. */
  filterPaths: readonly string[];
  /** Every resource of this type in the world now. */
  candidates(world: World): Candidate[];
}

export interface ActionSupport {
  /**
   * What the sandbox cannot do with these (FIS-valid) parameters, e.g. an SSM document it cannot
   * run. Paths are relative to the action (`['parameters', 'documentArn']`).
   */
  checkParameters?(parameters: Record<string, string>): { path: FieldPath; detail: string }[];
  run: ActionRunner;
}

/** What a running action may touch and how it reports back to the experiment. */
export interface ActionContext {
  readonly world: World;
  readonly bus: EventBus;
  readonly clock: VirtualClock;
  readonly experimentId: string;
  /** Systems Manager, which FIS's aws:ssm:* actions call (undefined in a sandbox without it). */
  readonly ssm: SsmPort | undefined;
  /** Validated parameters from the template. */
  readonly parameters: Record<string, string>;
  /** The resources the action's target resolved to (empty for actions that take no target). */
  readonly resources: { id: string; arn: string }[];
  /** The parameters of the action's target (`availabilityZoneIdentifier`, …); empty without one. */
  readonly targetParameters: Record<string, string>;
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

export const NOTHING_TO_STOP: RunningAction = { stop: (done) => done() };

/** Completes the action after `ms`; stopping it early runs `undo` (if any) at once. */
export function timedFault(ctx: ActionContext, ms: number, undo?: () => void): RunningAction {
  let timer: TimerHandle | undefined = ctx.clock.after(ms, () => {
    timer = undefined;
    undo?.();
    ctx.complete();
  });
  return {
    stop(done) {
      if (timer) {
        ctx.clock.cancel(timer);
        timer = undefined;
        undo?.();
      }
      done();
    },
  };
}

/** Why FIS says it acted: the reason EC2 and others record for the change. */
export function transitionReason(ctx: ActionContext): string {
  return `User initiated (AWS FIS experiment ${ctx.experimentId})`;
}

/** `true` whatever its case, as FIS reads booleans (the catalog takes True as well as true). */
export function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

/** A comma-separated list parameter (`us-east-1a,us-east-1b`), trimmed. */
export function listParameter(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A tagged resource's candidate with nothing to filter on but what `described` says. */
export function candidate(
  r: { id: string; arn: string; tags: Record<string, string> },
  described: Record<string, unknown>,
  matchesParameter: Candidate['matchesParameter'] = () => false,
): Candidate {
  return { id: r.id, arn: r.arn, tags: r.tags, described, matchesParameter };
}
