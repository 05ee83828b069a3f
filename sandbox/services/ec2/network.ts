import type { QueryOperation } from '../../protocol/query.ts';
import { AwsError } from '../../protocol/types.ts';
import type { Subnet, World } from '../../world/world.ts';
import { type FilterFields, parseFilters, tagFields } from './filters.ts';
import {
  checkDryRun,
  invalidValue,
  maxResultsParam,
  pageAfter,
  stringListParam,
  stringParam,
} from './input.ts';
import { availableIps, itemSet, renderAvailabilityZone, renderSubnet, zoneId } from './render.ts';

const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;

function requireSubnets(world: World, ids: string[]): Subnet[] {
  const malformed = ids.find((id) => !SUBNET_ID.test(id));
  if (malformed !== undefined) throw new AwsError('InvalidSubnetID.Malformed', `Invalid id: "${malformed}"`);
  const missing = ids.filter((id) => !world.subnet(id));
  if (missing.length > 0) {
    throw new AwsError(
      'InvalidSubnetID.NotFound',
      missing.length === 1
        ? `The subnet ID '${missing[0]}' does not exist`
        : `The subnet IDs '${missing.join(', ')}' do not exist`,
    );
  }
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

/** DescribeSubnets, DescribeAvailabilityZones and DescribeTags over the world's network. */
export function networkOperations(world: World): Record<string, QueryOperation> {
  return {
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
