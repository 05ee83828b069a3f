import {
  INSTANCE_STATE_CODES,
  type Instance,
  type InstanceState,
  type StateChange,
  type Subnet,
  type World,
} from '../../world/world.ts';
import { zoneId } from '../../world/zones.ts';

/**
 * EC2's XML shapes for the sandbox's world, with the element names the SDK reads
 * (`reservationSet/item/instancesSet/item`, `instanceState/{code,name}`, `tagSet/item/{key,value}`).
 */

/** An EC2 list: `<name><item>…</item></name>`, empty when there is nothing in it. */
export function itemSet<T>(items: readonly T[]): { item: T[] } | '' {
  return items.length === 0 ? '' : { item: [...items] };
}

export function tagSet(tags: Record<string, string>) {
  return itemSet(Object.entries(tags).map(([key, value]) => ({ key, value })));
}

export function instanceState(state: InstanceState) {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

/** The one security group every instance of the service is in. */
export function securityGroup(world: World) {
  return { groupId: 'sg-0c0ffee0000000001', groupName: `${world.def.service.name}-sg` };
}

export function reservationId(inst: Instance): string {
  return `r-${inst.id.slice(2)}`;
}

function privateDnsName(world: World, inst: Instance): string {
  const host = `ip-${inst.privateIp.replaceAll('.', '-')}`;
  return world.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${world.region}.compute.internal`;
}

const DOWN: readonly InstanceState[] = ['stopping', 'stopped', 'shutting-down', 'terminated'];

/** EC2's words for the StateReason codes the world produces. */
const STATE_REASONS: Record<string, string> = {
  'Client.UserInitiatedShutdown': 'User initiated shutdown',
  'Server.SpotInstanceTermination': 'Spot instance termination',
};

/** One `instancesSet/item` of DescribeInstances. A terminated instance has lost its network placement. */
export function renderInstance(world: World, inst: Instance) {
  const attached = inst.state !== 'terminated';
  return {
    instanceId: inst.id,
    imageId: inst.imageId,
    instanceState: instanceState(inst.state),
    privateDnsName: attached ? privateDnsName(world, inst) : '',
    dnsName: '',
    reason: inst.state === 'running' || inst.state === 'pending' ? '' : inst.stateReason,
    amiLaunchIndex: 0,
    instanceType: inst.instanceType,
    launchTime: new Date(inst.launchTime),
    placement: { availabilityZone: inst.az, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: attached ? inst.subnetId : undefined,
    vpcId: attached ? inst.vpcId : undefined,
    privateIpAddress: attached ? inst.privateIp : undefined,
    sourceDestCheck: true,
    groupSet: itemSet(attached ? [securityGroup(world)] : []),
    stateReason: DOWN.includes(inst.state)
      ? {
          code: inst.stateReasonCode,
          message: `${inst.stateReasonCode}: ${STATE_REASONS[inst.stateReasonCode] ?? ''}`,
        }
      : undefined,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: itemSet(
      attached
        ? [
            {
              deviceName: '/dev/xvda',
              ebs: {
                volumeId: inst.volumeId,
                status: 'attached',
                attachTime: new Date(inst.launchTime),
                deleteOnTermination: true,
              },
            },
          ]
        : [],
    ),
    instanceLifecycle: inst.lifecycle === 'spot' ? 'spot' : undefined,
    virtualizationType: 'hvm',
    tagSet: tagSet(inst.tags),
    hypervisor: 'xen',
    ebsOptimized: false,
    enaSupport: true,
    bootMode: 'uefi-preferred',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
  };
}

export function renderReservation(world: World, inst: Instance) {
  return {
    reservationId: reservationId(inst),
    ownerId: world.accountId,
    groupSet: '',
    instancesSet: { item: [renderInstance(world, inst)] },
  };
}

type Check = 'ok' | 'initializing' | 'impaired' | 'not-applicable';

/**
 * The instance status checks: `ok` once booted, `initializing` while (re)booting, `impaired` while
 * its root volume's I/O is paused (the operating system hangs on its disk).
 */
export function statusCheck(world: World, inst: Instance): Check {
  if (inst.state !== 'running') return 'not-applicable';
  if (ebsStatus(world, inst) === 'impaired') return 'impaired';
  return inst.appReadyAt !== undefined && inst.appReadyAt <= world.now() ? 'ok' : 'initializing';
}

/** The attached EBS status check: `impaired` while the root volume's I/O is paused. */
function ebsStatus(world: World, inst: Instance): Check {
  if (inst.state !== 'running') return 'not-applicable';
  const until = world.volume(inst.volumeId)?.ioPausedUntil;
  return until !== undefined && until > world.now() ? 'impaired' : 'ok';
}

const CHECK_DETAIL: Record<Check, string> = {
  ok: 'passed',
  initializing: 'initializing',
  impaired: 'failed',
  'not-applicable': '',
};

function statusSummary(status: Check, name = 'reachability') {
  if (status === 'not-applicable') return { status };
  return { status, details: { item: [{ name, status: CHECK_DETAIL[status] }] } };
}

export function renderInstanceStatus(world: World, inst: Instance) {
  const status = statusCheck(world, inst);
  return {
    instanceId: inst.id,
    availabilityZone: inst.az,
    availabilityZoneId: zoneId(world.region, inst.az),
    instanceState: instanceState(inst.state),
    // The host underneath is fine whatever the volume does: only the system checks see the host.
    systemStatus: statusSummary(status === 'impaired' ? 'ok' : status),
    instanceStatus: statusSummary(status),
    attachedEbsStatus: statusSummary(ebsStatus(world, inst), 'io-performance'),
  };
}

export function renderStateChange(change: StateChange) {
  return {
    instanceId: change.id,
    currentState: instanceState(change.current),
    previousState: instanceState(change.previous),
  };
}

/** A /20 has 4096 addresses, of which AWS reserves 5; every instance not terminated holds one. */
export function availableIps(world: World, subnet: Subnet): number {
  const prefix = Number(subnet.cidr.split('/')[1]);
  const used = world.instances().filter((i) => i.subnetId === subnet.id && i.state !== 'terminated').length;
  return 2 ** (32 - prefix) - 5 - used;
}

export function renderSubnet(world: World, subnet: Subnet) {
  return {
    subnetId: subnet.id,
    subnetArn: subnet.arn,
    state: 'available',
    vpcId: subnet.vpcId,
    ownerId: world.accountId,
    cidrBlock: subnet.cidr,
    availableIpAddressCount: availableIps(world, subnet),
    availabilityZone: subnet.az,
    availabilityZoneId: zoneId(world.region, subnet.az),
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: '',
    tagSet: tagSet(subnet.tags),
  };
}

export function renderAvailabilityZone(world: World, az: string) {
  return {
    zoneName: az,
    zoneId: zoneId(world.region, az),
    zoneState: 'available',
    regionName: world.region,
    groupName: world.region,
    networkBorderGroup: world.region,
    zoneType: 'availability-zone',
    optInStatus: 'opt-in-not-required',
    messageSet: '',
  };
}
