import type { QueryOperation } from '../../protocol/query.ts';
import { AwsError } from '../../protocol/types.ts';
import {
  INSTANCE_STATE_CODES,
  type Instance,
  type InstanceState,
  type StateChange,
  type World,
  WorldError,
} from '../../world/world.ts';
import { type FilterFields, parseFilters, tagFields } from './filters.ts';
import {
  booleanParam,
  checkDryRun,
  maxResultsParam,
  type Params,
  pageAfter,
  stringListParam,
  stringParam,
} from './input.ts';
import {
  itemSet,
  renderInstanceStatus,
  renderReservation,
  renderStateChange,
  reservationId,
  statusCheck,
} from './render.ts';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Every id well-formed and known, or EC2's own error naming the bad ones. */
function requireInstances(world: World, ids: string[]): Instance[] {
  const malformed = ids.find((id) => !INSTANCE_ID.test(id));
  if (malformed !== undefined)
    throw new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
  const missing = ids.filter((id) => !world.instance(id));
  if (missing.length === 1) {
    throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
  }
  if (missing.length > 1) {
    throw new AwsError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  }
  return ids.map((id) => world.instance(id)!);
}

function requiredIds(params: Params): string[] {
  const ids = stringListParam(params, 'InstanceId');
  if (ids.length === 0)
    throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceId');
  return ids;
}

function refuseIdsWithMaxResults(ids: string[], max: number | undefined): void {
  if (ids.length > 0 && max !== undefined) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
}

/** Refuses the whole request if any instance cannot make the change, so a bad id changes nothing. */
function requireStates(instances: Instance[], refused: readonly InstanceState[], verb: string): void {
  const bad = instances.find((i) => refused.includes(i.state));
  if (bad) {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${bad.id}' is not in a state from which it can be ${verb}.`,
    );
  }
}

/** The world applies EC2's state machine; its refusals are EC2's errors. */
function inWorld<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WorldError) throw new AwsError(e.code, e.message);
    throw e;
  }
}

function instanceFields(world: World): FilterFields<Instance> {
  return {
    'instance-id': (i) => [i.id],
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [INSTANCE_STATE_CODES[i.state]],
    'availability-zone': (i) => [i.az],
    'subnet-id': (i) => (i.state === 'terminated' ? [] : [i.subnetId]),
    'vpc-id': (i) => (i.state === 'terminated' ? [] : [i.vpcId]),
    'instance-type': (i) => [i.instanceType],
    // EC2 gives on-demand instances no lifecycle: only `spot` matches anything here.
    'instance-lifecycle': (i) => (i.lifecycle === 'spot' ? ['spot'] : []),
    'image-id': (i) => [i.imageId],
    'private-ip-address': (i) => (i.state === 'terminated' ? [] : [i.privateIp]),
    'reservation-id': (i) => [reservationId(i)],
    'owner-id': () => [world.accountId],
    architecture: () => ['x86_64'],
    ...tagFields((i: Instance) => i.tags),
  };
}

const STATUS_FILTERS: FilterFields<{ world: World; inst: Instance }> = {
  'availability-zone': ({ inst }) => [inst.az],
  'instance-state-name': ({ inst }) => [inst.state],
  'instance-state-code': ({ inst }) => [INSTANCE_STATE_CODES[inst.state]],
  'instance-status.status': ({ world, inst }) => [statusCheck(world, inst)],
  'system-status.status': ({ world, inst }) => [systemCheck(world, inst)],
  'instance-status.reachability': ({ world, inst }) => [reachability(statusCheck(world, inst))],
  'system-status.reachability': ({ world, inst }) => [reachability(systemCheck(world, inst))],
  'event.code': () => [],
};

/** The host's own checks: a volume's paused I/O impairs the instance's checks, not the system's. */
function systemCheck(world: World, inst: Instance): string {
  const status = statusCheck(world, inst);
  return status === 'impaired' ? 'ok' : status;
}

function reachability(status: string): string {
  return status === 'ok'
    ? 'passed'
    : status === 'initializing'
      ? 'initializing'
      : status === 'impaired'
        ? 'failed'
        : '';
}

/** DescribeInstances, DescribeInstanceStatus and the instance state changes. */
export function instanceOperations(world: World): Record<string, QueryOperation> {
  return {
    DescribeInstances: (params) => {
      const ids = stringListParam(params, 'InstanceId');
      const max = maxResultsParam(params);
      refuseIdsWithMaxResults(ids, max);
      const matches = parseFilters(params, instanceFields(world), (i) => i.tags);
      checkDryRun(params);
      const candidates = ids.length > 0 ? requireInstances(world, ids) : world.instances();
      const page = pageAfter(candidates.filter(matches), (i) => i.id, {
        listing: 'instances',
        nextToken: stringParam(params, 'NextToken'),
        max,
      });
      return {
        reservationSet: itemSet(page.items.map((i) => renderReservation(world, i))),
        nextToken: page.nextToken,
      };
    },

    DescribeInstanceStatus: (params) => {
      const ids = stringListParam(params, 'InstanceId');
      const max = maxResultsParam(params);
      refuseIdsWithMaxResults(ids, max);
      const all = booleanParam(params, 'IncludeAllInstances');
      const matches = parseFilters(params, STATUS_FILTERS);
      checkDryRun(params);
      const candidates = ids.length > 0 ? requireInstances(world, ids) : world.instances();
      // Without IncludeAllInstances, EC2 reports running instances only.
      const shown = candidates.filter(
        (inst) => (all || inst.state === 'running') && matches({ world, inst }),
      );
      const page = pageAfter(shown, (i) => i.id, {
        listing: 'instance-status',
        nextToken: stringParam(params, 'NextToken'),
        max,
      });
      return {
        instanceStatusSet: itemSet(page.items.map((i) => renderInstanceStatus(world, i))),
        nextToken: page.nextToken,
      };
    },

    StopInstances: (params) => {
      const instances = requireInstances(world, requiredIds(params));
      if (booleanParam(params, 'Hibernate')) {
        throw new AwsError(
          'UnsupportedHibernationConfiguration',
          `The instance '${instances[0]!.id}' is not configured for hibernation.`,
        );
      }
      booleanParam(params, 'Force');
      requireStates(instances, ['shutting-down', 'terminated'], 'stopped');
      checkDryRun(params);
      const changes: StateChange[] = inWorld(() => world.stopInstances(instances.map((i) => i.id)));
      return { instancesSet: itemSet(changes.map(renderStateChange)) };
    },

    StartInstances: (params) => {
      const instances = requireInstances(world, requiredIds(params));
      requireStates(instances, ['stopping', 'shutting-down', 'terminated'], 'started');
      checkDryRun(params);
      const changes = inWorld(() => world.startInstances(instances.map((i) => i.id)));
      return { instancesSet: itemSet(changes.map(renderStateChange)) };
    },

    TerminateInstances: (params) => {
      const instances = requireInstances(world, requiredIds(params));
      checkDryRun(params);
      const changes = inWorld(() => world.terminateInstances(instances.map((i) => i.id)));
      return { instancesSet: itemSet(changes.map(renderStateChange)) };
    },

    RebootInstances: (params) => {
      const instances = requireInstances(world, requiredIds(params));
      requireStates(instances, ['pending', 'stopping', 'stopped', 'shutting-down', 'terminated'], 'rebooted');
      checkDryRun(params);
      inWorld(() => world.rebootInstances(instances.map((i) => i.id)));
      return { return: true };
    },
  };
}
