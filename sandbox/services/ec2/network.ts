import type { QueryOperation } from '../../protocol/query.ts';
import { AwsError } from '../../protocol/types.ts';
import type { Subnet, World } from '../../world/world.ts';
import { zoneId } from '../../world/zones.ts';
import { type FilterFields, parseFilters, tagFields } from './filters.ts';
import {
  checkDryRun,
  invalidValue,
  maxResultsParam,
  pageAfter,
  stringListParam,
  stringParam,
} from './input.ts';
import { availableIps, itemSet, renderAvailabilityZone, renderSubnet } from './render.ts';

const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** The world's one VPC holds its subnets, /20s counted up from 10.0.0.0. */
const VPC_CIDR = '10.0.0.0/16';

function vpcFields(world: World): FilterFields<string> {
  const cidr = () => [VPC_CIDR];
  return {
    'vpc-id': (id) => [id],
    cidr,
    'cidr-block': cidr,
    'cidr-block-association.cidr-block': cidr,
    state: () => ['available'],
    'is-default': () => [false],
    isDefault: () => [false],
    'owner-id': () => [world.accountId],
    'instance-tenancy': () => ['default'],
  };
}

function regionFields(): FilterFields<string> {
  return {
    'region-name': (r) => [r],
    endpoint: (r) => [`ec2.${r}.amazonaws.com`],
    'opt-in-status': () => ['opt-in-not-required'],
  };
}

/** EC2's answer for ids it does not have: `The subnet ID 'x' does not exist`, or IDs for several. */
function notFound(code: string, noun: string, missing: string[]): AwsError {
  return new AwsError(
    code,
    missing.length === 1
      ? `The ${noun} ID '${missing[0]}' does not exist`
      : `The ${noun} IDs '${missing.join(', ')}' do not exist`,
  );
}

function requireSubnets(world: World, ids: string[]): Subnet[] {
  const malformed = ids.find((id) => !SUBNET_ID.test(id));
  if (malformed !== undefined) throw new AwsError('InvalidSubnetID.Malformed', `Invalid id: "${malformed}"`);
  const missing = ids.filter((id) => !world.subnet(id));
  if (missing.length > 0) throw notFound('InvalidSubnetID.NotFound', 'subnet', missing);
  return ids.map((id) => world.subnet(id)!);
}

function subnetFields(world: World): FilterFields<Subnet> {
  const az = (s: Subnet) => [s.az];
  const cidr = (s: Subnet) => [s.cidr];
  const defaultForAz = () => [false];
  return {
    'availability-zone': az,
    availabilityZone: az,
    'availability-zone-id': (s) => [zoneId(world.region, s.az)],
    'subnet-id': (s) => [s.id],
    'subnet-arn': (s) => [s.arn],
    'vpc-id': (s) => [s.vpcId],
    'cidr-block': cidr,
    cidr,
    cidrBlock: cidr,
    state: () => ['available'],
    'default-for-az': defaultForAz,
    defaultForAz,
    'owner-id': () => [world.accountId],
    'available-ip-address-count': (s) => [availableIps(world, s)],
    ...tagFields((s: Subnet) => s.tags),
  };
}

function zoneFields(world: World): FilterFields<string> {
  return {
    'zone-name': (az) => [az],
    'zone-id': (az) => [zoneId(world.region, az)],
    state: () => ['available'],
    'region-name': () => [world.region],
    'group-name': () => [world.region],
    'zone-type': () => ['availability-zone'],
    'opt-in-status': () => ['opt-in-not-required'],
  };
}

interface TagRow {
  resourceId: string;
  resourceType: 'instance' | 'subnet';
  key: string;
  value: string;
}

const TAG_FIELDS: FilterFields<TagRow> = {
  'resource-id': (t) => [t.resourceId],
  'resource-type': (t) => [t.resourceType],
  key: (t) => [t.key],
  value: (t) => [t.value],
};

function tagRows(world: World): TagRow[] {
  const rows: TagRow[] = [];
  const add = (resourceId: string, resourceType: TagRow['resourceType'], tags: Record<string, string>) => {
    for (const [key, value] of Object.entries(tags)) rows.push({ resourceId, resourceType, key, value });
  };
  for (const i of world.instances()) add(i.id, 'instance', i.tags);
  for (const s of world.subnets()) add(s.id, 'subnet', s.tags);
  return rows;
}

/**
 * DescribeVpcs, DescribeSubnets, DescribeAvailabilityZones, DescribeRegions and DescribeTags over
 * the world's network. The sandbox is one region and one VPC, so those are all there is.
 */
export function networkOperations(world: World): Record<string, QueryOperation> {
  return {
    DescribeVpcs: (params) => {
      const ids = stringListParam(params, 'VpcId');
      const max = maxResultsParam(params);
      const matches = parseFilters(params, vpcFields(world));
      checkDryRun(params);
      const missing = ids.filter((id) => id !== world.vpcId);
      if (missing.length > 0) throw notFound('InvalidVpcID.NotFound', 'vpc', missing);
      const page = pageAfter([world.vpcId].filter(matches), (id) => id, {
        listing: 'vpcs',
        nextToken: stringParam(params, 'NextToken'),
        max,
      });
      return {
        vpcSet: itemSet(
          page.items.map((vpcId) => ({
            vpcId,
            ownerId: world.accountId,
            state: 'available',
            cidrBlock: VPC_CIDR,
            cidrBlockAssociationSet: itemSet([
              {
                cidrBlock: VPC_CIDR,
                associationId: `vpc-cidr-assoc-${vpcId.slice(4)}`,
                cidrBlockState: { state: 'associated' },
              },
            ]),
            dhcpOptionsId: 'default',
            instanceTenancy: 'default',
            isDefault: false,
            tagSet: '',
          })),
        ),
        nextToken: page.nextToken,
      };
    },

    DescribeRegions: (params) => {
      const names = stringListParam(params, 'RegionName');
      const matches = parseFilters(params, regionFields());
      checkDryRun(params);
      const unknown = names.filter((n) => n !== world.region);
      if (unknown.length > 0) throw invalidValue(`Invalid region: ${unknown.join(', ')}`);
      return {
        regionInfo: itemSet(
          [world.region].filter(matches).map((regionName) => ({
            regionName,
            regionEndpoint: `ec2.${regionName}.amazonaws.com`,
            optInStatus: 'opt-in-not-required',
          })),
        ),
      };
    },

    DescribeSubnets: (params) => {
      const ids = stringListParam(params, 'SubnetId');
      const max = maxResultsParam(params);
      const matches = parseFilters(params, subnetFields(world), (s) => s.tags);
      checkDryRun(params);
      const candidates = ids.length > 0 ? requireSubnets(world, ids) : world.subnets();
      const page = pageAfter(candidates.filter(matches), (s) => s.id, {
        listing: 'subnets',
        nextToken: stringParam(params, 'NextToken'),
        max,
      });
      return { subnetSet: itemSet(page.items.map((s) => renderSubnet(world, s))), nextToken: page.nextToken };
    },

    DescribeAvailabilityZones: (params) => {
      const names = stringListParam(params, 'ZoneName');
      const ids = stringListParam(params, 'ZoneId');
      const matches = parseFilters(params, zoneFields(world));
      checkDryRun(params);
      const zones = world.def.availabilityZones;
      const unknown = [
        ...names.filter((n) => !zones.includes(n)),
        ...ids.filter((id) => !zones.some((az) => zoneId(world.region, az) === id)),
      ];
      if (unknown.length > 0) throw invalidValue(`Invalid availability zone: [${unknown.join(', ')}]`);
      const wanted = zones.filter(
        (az) =>
          (names.length === 0 && ids.length === 0) ||
          names.includes(az) ||
          ids.includes(zoneId(world.region, az)),
      );
      return {
        availabilityZoneInfo: itemSet(wanted.filter(matches).map((az) => renderAvailabilityZone(world, az))),
      };
    },

    DescribeTags: (params) => {
      const max = maxResultsParam(params);
      const matches = parseFilters(params, TAG_FIELDS);
      checkDryRun(params);
      const page = pageAfter(tagRows(world).filter(matches), (t) => `${t.resourceId}\u0000${t.key}`, {
        listing: 'tags',
        nextToken: stringParam(params, 'NextToken'),
        max,
      });
      return { tagSet: itemSet(page.items), nextToken: page.nextToken };
    },
  };
}
