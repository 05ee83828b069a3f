import type { Instance, InstanceState, World } from '../../world/world.ts';
import { WorldError } from '../../world/world.ts';
import { statusCheck } from '../ec2/render.ts';
import type { Route53Service } from '../route53.ts';

/** Route 53 as a step's script calls it (aws:executeAwsApi / boto3 in the real document). */
export type StepDns = Pick<Route53Service, 'failOver' | 'changeStatus'>;

/** What a running step may do: look at and change the world and its DNS, poll, and finish once. */
export interface StepControl {
  readonly world: World;
  readonly dns: StepDns;
  /** Runs `fn` now and then every `ms` virtual milliseconds until the step ends. */
  poll(ms: number, fn: () => void): void;
  /** Runs `fn` once after `ms` virtual milliseconds, unless the step has ended by then. */
  after(ms: number, fn: () => void): void;
  /**
   * Calls one of the sandbox's services over its wire protocol (aws:executeAwsApi and its kin);
   * virtual time stands still while the call is in flight. Resolves to the response's members.
   */
  callApi(service: string, api: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Runs asynchronous work inside the step: its result is ignored once the step has ended, a throw fails it. */
  async(fn: () => Promise<void>): void;
  /** Ends the step; `next` names the step to run next (aws:branch), instead of the document's order. */
  succeed(outputs?: Record<string, string[]>, next?: string): void;
  fail(message: string): void;
}

/** How a step hands over when it ends (a customer document's onFailure, nextStep, isEnd, maxAttempts). */
export interface StepFlow {
  /** `Abort`, `Continue` or `step:<name>`. */
  onFailure: string;
  nextStep?: string;
  isEnd: boolean;
  maxAttempts: number;
  isCritical: boolean;
}

/** A step's view of the execution: its resolved parameters and the outputs of earlier steps. */
export interface StepContext {
  params: Record<string, string[]>;
  /** Earlier steps' outputs, keyed `stepName.OutputName` as runbook outputs name them. */
  outputs: Record<string, string[]>;
  /** Automation's own variables: `automation:EXECUTION_ID`, `global:REGION`, … */
  variables: Record<string, string>;
}

export interface DocumentStep {
  name: string;
  /** The Automation action, e.g. `aws:changeInstanceState`. */
  action: string;
  timeoutSeconds: number;
  /** The step's inputs as the runbook writes them, reported in StepExecution.Inputs. */
  inputs(ctx: StepContext): Record<string, unknown>;
  start(ctl: StepControl, ctx: StepContext): void;
  /** Undefined: abort on failure, then go on to the next step in the document's order. */
  flow?: StepFlow;
}

/** A String parameter's value (its first), or '' when it has none. */
export const one = (ctx: StepContext, name: string): string => ctx.params[name]?.[0] ?? '';

/** How often Automation re-checks a resource while it waits. */
export const POLL_MS = 5_000;

/** How Automation words an AWS call inside a step that was refused, after its `Step fails when…` prefix. */
export function apiRefusal(service: string, code: string, message: string, status = 400): string {
  return (
    `${message} (Service: ${service}; Status Code: ${status}; Error Code: ${code}). ` +
    'Please refer to Automation Service Troubleshooting Guide for more diagnosis details.'
  );
}

/** The failure text Automation reports when an AWS call inside a step is refused. */
export function apiFailure(service: string, code: string, message: string, status = 400): string {
  return `Step fails when it is Executing. ${apiRefusal(service, code, message, status)}`;
}

/** The failure text Automation reports when an EC2 call inside a step is refused. */
export function ec2Failure(code: string, message: string): string {
  return apiFailure('AmazonEC2', code, message);
}

type DesiredState = 'stopped' | 'running';

/** States from which an instance can never reach the desired state. */
const DEAD: readonly InstanceState[] = ['shutting-down', 'terminated'];

/**
 * `aws:changeInstanceState`: asks EC2 for the desired state and waits until every instance has
 * reached it. An instance still stopping when asked to run is started once it has stopped, as
 * EC2 refuses to start a stopping instance; a terminated or unknown instance fails the step.
 */
export function changeInstanceStateStep(
  name: string,
  desired: DesiredState,
  timeoutSeconds = 3600,
): DocumentStep {
  return {
    name,
    action: 'aws:changeInstanceState',
    timeoutSeconds,
    inputs: (ctx) => ({ InstanceIds: ctx.params.InstanceId ?? [], DesiredState: desired }),
    start(ctl, ctx) {
      const ids = ctx.params.InstanceId ?? [];
      ctl.poll(POLL_MS, () => {
        const instances: Instance[] = [];
        for (const id of ids) {
          const inst = ctl.world.instance(id);
          if (!inst) {
            ctl.fail(ec2Failure('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`));
            return;
          }
          if (DEAD.includes(inst.state)) {
            const verb = desired === 'stopped' ? 'stopped' : 'started';
            ctl.fail(
              ec2Failure(
                'IncorrectInstanceState',
                `The instance '${id}' is not in a state from which it can be ${verb}.`,
              ),
            );
            return;
          }
          instances.push(inst);
        }
        try {
          if (desired === 'stopped') {
            const toStop = instances.filter((i) => i.state === 'running' || i.state === 'pending');
            if (toStop.length > 0)
              ctl.world.stopInstances(
                toStop.map((i) => i.id),
                'User initiated',
              );
          } else {
            const toStart = instances.filter((i) => i.state === 'stopped');
            if (toStart.length > 0)
              ctl.world.startInstances(
                toStart.map((i) => i.id),
                'User initiated',
              );
          }
        } catch (e) {
          if (!(e instanceof WorldError)) throw e;
          ctl.fail(ec2Failure(e.code, e.message));
          return;
        }
        if (instances.every((i) => i.state === desired)) ctl.succeed();
      });
    },
  };
}

/**
 * Faultline-ScaleOut's first step: launches `Count` instances into the group's reachable AZs, each
 * into the AZ that has the fewest serving instances at that moment (counting the ones just added).
 */
export function launchInstancesStep(name: string): DocumentStep {
  return {
    name,
    action: 'aws:executeAwsApi',
    timeoutSeconds: 300,
    inputs: (ctx) => ({
      Service: 'ec2',
      Api: 'RunInstances',
      AutoScalingGroupName: ctx.params.AutoScalingGroupName?.[0] ?? '',
      Count: Number(ctx.params.Count?.[0] ?? '0'),
      AvailabilityZones: ctx.params.AvailabilityZones ?? [],
    }),
    start(ctl, ctx) {
      const world = ctl.world;
      const group = ctx.params.AutoScalingGroupName?.[0] ?? '';
      if (world.def.autoScaling?.name !== group) {
        ctl.fail(
          `Step fails when it is Executing. AutoScalingGroup '${group}' not found. Please refer to Automation ` +
            'Service Troubleshooting Guide for more diagnosis details.',
        );
        return;
      }
      const requested = (ctx.params.AvailabilityZones ?? []).filter((az) => az !== '');
      const unknown = requested.filter((az) => !world.def.availabilityZones.includes(az));
      if (unknown.length > 0) {
        ctl.fail(
          ec2Failure(
            'InvalidParameterValue',
            `Invalid availability zone: [${unknown.join(', ')}] is not an Availability Zone of ${group}`,
          ),
        );
        return;
      }
      const zones = (requested.length > 0 ? requested : world.def.availabilityZones).filter((az) =>
        world.azReachable(az),
      );
      if (zones.length === 0) {
        ctl.fail(
          ec2Failure(
            'InsufficientInstanceCapacity',
            'None of the requested Availability Zones is reachable, so no instance could be launched',
          ),
        );
        return;
      }
      const serving = new Map(zones.map((az) => [az, 0]));
      for (const inst of world.instances()) {
        if (serving.has(inst.az) && world.instanceServing(inst))
          serving.set(inst.az, serving.get(inst.az)! + 1);
      }
      const launched: string[] = [];
      const count = Number(ctx.params.Count?.[0] ?? '0');
      for (let n = 0; n < count; n++) {
        // Ties go to the AZ listed first, so the same world and seed launch into the same AZs.
        const az = zones.reduce((best, z) => (serving.get(z)! < serving.get(best)! ? z : best));
        launched.push(world.launchInstance(az).id);
        serving.set(az, serving.get(az)! + 1);
      }
      ctl.succeed({ InstanceIds: launched });
    },
  };
}

/** Faultline-ScaleOut's second step: waits until every launched instance is `running`. */
export function waitForRunningStep(name: string, launchStep: string): DocumentStep {
  const idsOf = (ctx: StepContext) => ctx.outputs[`${launchStep}.InstanceIds`] ?? [];
  return {
    name,
    action: 'aws:waitForAwsResourceProperty',
    timeoutSeconds: 600,
    inputs: (ctx) => ({
      Service: 'ec2',
      Api: 'DescribeInstances',
      InstanceIds: idsOf(ctx),
      PropertySelector: '$.Reservations[0].Instances[0].State.Name',
      DesiredValues: ['running'],
    }),
    start(ctl, ctx) {
      const ids = idsOf(ctx);
      ctl.poll(POLL_MS, () => {
        for (const id of ids) {
          const state = ctl.world.instance(id)?.state;
          if (state !== 'pending' && state !== 'running') {
            ctl.fail(
              `Step fails when it is Verifying. Instance ${id} is ${state ?? 'not found'} and can never reach ` +
                'the desired value running. Please refer to Automation Service Troubleshooting Guide for more ' +
                'diagnosis details.',
            );
            return;
          }
        }
        if (ids.every((id) => ctl.world.instance(id)?.state === 'running')) ctl.succeed();
      });
    },
  };
}

/** Faultline-RestartUnhealthyTargets' `TargetGroup`: the alarm's dimension value, `targetgroup/<name>/<id>`. */
function targetGroupOf(ctx: StepContext): string {
  return ctx.params.TargetGroup?.[0] ?? '';
}

/**
 * Faultline-RestartUnhealthyTargets' first step: reboots the target group's unhealthy targets that
 * refuse their health checks (`Target.FailedHealthChecks`) while their instance is running and
 * booted (EC2 status checks `ok`): a host whose service died, which a reboot starts again. A host
 * that does not answer at all (`Target.Timeout`: stopped, or cut off by a network outage) or is
 * still booting is left alone: rebooting it would fix nothing, and rebooting a whole fleet during
 * a network outage would make the incident worse. Fails when there is none.
 */
export function rebootUnhealthyTargetsStep(name: string): DocumentStep {
  return {
    name,
    action: 'aws:executeScript',
    timeoutSeconds: 60,
    inputs: (ctx) => ({
      Runtime: 'python3.11',
      Handler: 'reboot_unhealthy',
      TargetGroup: targetGroupOf(ctx),
    }),
    start(ctl, ctx) {
      const world = ctl.world;
      const group = targetGroupOf(ctx);
      if (group !== world.targetGroupDimension) {
        ctl.fail(
          `Step fails when it is Executing. Target group '${group}' not found (Service: ElasticLoadBalancingV2; ` +
            'Error Code: TargetGroupNotFound). Please refer to Automation Service Troubleshooting Guide for more ' +
            'diagnosis details.',
        );
        return;
      }
      const unhealthy = world.targetHealth().targets.filter((t) => t.state === 'unhealthy');
      const running = unhealthy.filter((t) => {
        const inst = world.instance(t.id);
        return (
          t.reason === 'Target.FailedHealthChecks' && inst !== undefined && statusCheck(world, inst) === 'ok'
        );
      });
      if (running.length === 0) {
        ctl.fail(
          `Step fails when it is Executing. None of the ${unhealthy.length} unhealthy targets of ${group} is a ` +
            'running, booted instance that refuses its health checks, so there is nothing a restart fixes: hosts ' +
            'that time out are stopped or cut off, booting ones need time.',
        );
        return;
      }
      const ids = running.map((t) => t.id);
      try {
        world.rebootInstances(ids);
      } catch (e) {
        if (!(e instanceof WorldError)) throw e;
        ctl.fail(ec2Failure(e.code, e.message));
        return;
      }
      ctl.succeed({ InstanceIds: ids });
    },
  };
}

/** Faultline-RestartUnhealthyTargets' second step: waits until every rebooted target is healthy again. */
export function waitForHealthyTargetsStep(name: string, rebootStep: string): DocumentStep {
  const idsOf = (ctx: StepContext) => ctx.outputs[`${rebootStep}.InstanceIds`] ?? [];
  return {
    name,
    action: 'aws:executeScript',
    timeoutSeconds: 900,
    inputs: (ctx) => ({
      Runtime: 'python3.11',
      Handler: 'wait_healthy',
      TargetGroup: targetGroupOf(ctx),
      InstanceIds: idsOf(ctx),
    }),
    start(ctl, ctx) {
      const ids = idsOf(ctx);
      ctl.poll(POLL_MS, () => {
        const targets = new Map(ctl.world.targetHealth().targets.map((t) => [t.id, t.state]));
        const lost = ids.find((id) => ctl.world.instance(id)?.state !== 'running' || !targets.has(id));
        if (lost !== undefined) {
          ctl.fail(
            `Step fails when it is Executing. Instance ${lost} is no longer a running target of ` +
              `${targetGroupOf(ctx)}, so it can never become healthy.`,
          );
          return;
        }
        if (ids.every((id) => targets.get(id) === 'healthy')) ctl.succeed();
      });
    },
  };
}
