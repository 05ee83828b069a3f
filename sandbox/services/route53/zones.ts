import { RawResponse } from '../../protocol/rest-xml.ts';
import { AwsError } from '../../protocol/types.ts';
import { toXml } from '../../protocol/xml.ts';
import { submitChange } from './changes.ts';
import type { Route53Context } from './context.ts';
import { hostedZoneId, nameServers, stripPrefix } from './ids.ts';
import type { HostedZone, RecordSet } from './model.ts';
import { absoluteName, compareText, dnsNameProblem, reversedName } from './names.ts';
import { changeInfoXml, delegationSetXml, hostedZoneXml } from './render.ts';
import {
  boolean,
  child,
  constraintError,
  invalidInput,
  maxItems,
  ROUTE53_XMLNS,
  readBody,
  requiredText,
  text,
} from './wire.ts';

/** Route 53 answers at most this many hosted zones per list call. */
const MAX_ZONES_PER_PAGE = 100;

export function requireZone(ctx: Route53Context, id: string): HostedZone {
  const zone = ctx.state.zones.get(stripPrefix(id, 'hostedzone'));
  if (!zone) throw new AwsError('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);
  return zone;
}

export interface NewZone {
  name: string;
  callerReference: string;
  comment?: string;
  vpc?: { region: string; id: string };
}

/**
 * Creates a hosted zone with the SOA and NS record sets Route 53 puts in every new zone. Shared by
 * CreateHostedZone and the world's DNS setup at start.
 */
export function addHostedZone(ctx: Route53Context, input: NewZone): HostedZone {
  const name = absoluteName(input.name);
  const problem =
    name === '.' ? `'${input.name}' is not a domain name Route 53 can host` : dnsNameProblem(name);
  if (problem) throw new AwsError('InvalidDomainName', problem, 400);
  if (ctx.state.zoneCallerReferences.has(input.callerReference)) {
    throw new AwsError(
      'HostedZoneAlreadyExists',
      `A hosted zone has already been created with the specified caller reference: ${input.callerReference}`,
      409,
    );
  }
  const id = hostedZoneId(input.callerReference);
  const servers = nameServers(id);
  const defaults: RecordSet[] = [
    { name, type: 'NS', ttl: 172800, values: servers.map((s) => `${s}.`) },
    {
      name,
      type: 'SOA',
      ttl: 900,
      values: [`${servers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
    },
  ];
  const zone: HostedZone = {
    id,
    name,
    callerReference: input.callerReference,
    ...(input.comment !== undefined ? { comment: input.comment } : {}),
    privateZone: input.vpc !== undefined,
    ...(input.vpc ? { vpc: input.vpc } : {}),
    createdAt: ctx.core.clock.now(),
    nameServers: servers,
    records: defaults,
    served: [],
    propagating: [],
    tags: [],
  };
  ctx.state.zoneCallerReferences.add(input.callerReference);
  ctx.state.zones.set(id, zone);
  return zone;
}

export function createHostedZone(ctx: Route53Context, body: Buffer): RawResponse {
  const req = readBody(body, 'CreateHostedZoneRequest');
  const name = requiredText(req, 'Name', 'name');
  const callerReference = requiredText(req, 'CallerReference', 'callerReference');
  if (callerReference.length > 128) {
    throw constraintError(
      'callerReference',
      callerReference,
      'Member must have length less than or equal to 128',
    );
  }
  const config = child(req, 'HostedZoneConfig');
  const comment = config ? text(config, 'Comment') : undefined;
  if (comment !== undefined && comment.length > 256) {
    throw constraintError(
      'hostedZoneConfig.comment',
      comment,
      'Member must have length less than or equal to 256',
    );
  }
  const vpcNode = child(req, 'VPC');
  const vpc = vpcNode
    ? {
        region: requiredText(vpcNode, 'VPCRegion', 'vPC.vPCRegion'),
        id: requiredText(vpcNode, 'VPCId', 'vPC.vPCId'),
      }
    : undefined;
  if (config && boolean(config, 'PrivateZone', 'hostedZoneConfig.privateZone') && !vpc) {
    throw invalidInput('When you create a private hosted zone, you must specify a VPC');
  }
  const delegationSetId = text(req, 'DelegationSetId');
  if (delegationSetId) {
    throw new AwsError(
      'NoSuchDelegationSet',
      `A reusable delegation set with ID ${delegationSetId} does not exist.`,
    );
  }
  const zone = addHostedZone(ctx, {
    name,
    callerReference,
    ...(comment !== undefined ? { comment } : {}),
    ...(vpc ? { vpc } : {}),
  });
  const change = submitChange(ctx, zone);
  const doc = toXml({
    CreateHostedZoneResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      HostedZone: hostedZoneXml(zone),
      ChangeInfo: changeInfoXml(change, ctx.core.clock.now()),
      DelegationSet: delegationSetXml(zone),
      VPC: vpc ? { VPCRegion: vpc.region, VPCId: vpc.id } : undefined,
    },
  });
  return new RawResponse(
    201,
    { location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}` },
    doc,
  );
}

export function getHostedZone(ctx: Route53Context, id: string): Record<string, unknown> {
  const zone = requireZone(ctx, id);
  return {
    GetHostedZoneResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      HostedZone: hostedZoneXml(zone),
      DelegationSet: zone.privateZone ? undefined : delegationSetXml(zone),
      VPCs: zone.vpc ? { VPC: [{ VPCRegion: zone.vpc.region, VPCId: zone.vpc.id }] } : undefined,
    },
  };
}

export function listHostedZones(ctx: Route53Context, query: URLSearchParams): Record<string, unknown> {
  const limit = maxItems(query, MAX_ZONES_PER_PAGE);
  const marker = query.get('marker') ?? undefined;
  const type = query.get('hostedzonetype');
  if (type !== null && type !== 'PrivateHostedZone') {
    throw constraintError('hostedZoneType', type, 'Member must satisfy enum value set: [PrivateHostedZone]');
  }
  const zones = [...ctx.state.zones.values()].filter((z) => type === null || z.privateZone);
  let start = 0;
  if (marker !== undefined) {
    start = zones.findIndex((z) => z.id === stripPrefix(marker, 'hostedzone'));
    if (start < 0) throw invalidInput(`Invalid marker: ${marker}`);
  }
  const page = zones.slice(start, start + limit);
  const next = zones[start + limit];
  return {
    ListHostedZonesResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      HostedZones: { HostedZone: page.map(hostedZoneXml) },
      Marker: marker ?? '',
      IsTruncated: next !== undefined,
      NextMarker: next?.id,
      MaxItems: limit,
    },
  };
}

export function listHostedZonesByName(ctx: Route53Context, query: URLSearchParams): Record<string, unknown> {
  const limit = maxItems(query, MAX_ZONES_PER_PAGE);
  const dnsName = query.get('dnsname') ?? undefined;
  const zoneId = query.get('hostedzoneid') ?? undefined;
  if (zoneId !== undefined && dnsName === undefined) {
    throw invalidInput('If you specify a value for HostedZoneId, you must also specify a value for DNSName');
  }
  const startName = dnsName === undefined ? undefined : absoluteName(dnsName);
  if (startName !== undefined && startName !== '.') {
    const problem = dnsNameProblem(startName);
    if (problem) throw new AwsError('InvalidDomainName', problem, 400);
  }
  const sorted = [...ctx.state.zones.values()].sort(
    (a, b) => compareText(reversedName(a.name), reversedName(b.name)) || compareText(a.id, b.id),
  );
  const startKey = startName === undefined ? undefined : reversedName(startName);
  const startId = zoneId === undefined ? '' : stripPrefix(zoneId, 'hostedzone');
  const from =
    startKey === undefined
      ? 0
      : sorted.findIndex((z) => {
          const order = compareText(reversedName(z.name), startKey);
          return order > 0 || (order === 0 && compareText(z.id, startId) >= 0);
        });
  const begin = from < 0 ? sorted.length : from;
  const page = sorted.slice(begin, begin + limit);
  const next = sorted[begin + limit];
  return {
    ListHostedZonesByNameResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      HostedZones: { HostedZone: page.map(hostedZoneXml) },
      DNSName: dnsName,
      HostedZoneId: zoneId,
      IsTruncated: next !== undefined,
      NextDNSName: next?.name,
      NextHostedZoneId: next?.id,
      MaxItems: limit,
    },
  };
}

export function deleteHostedZone(ctx: Route53Context, id: string): Record<string, unknown> {
  const zone = requireZone(ctx, id);
  const extra = zone.records.filter((r) => !(r.name === zone.name && (r.type === 'SOA' || r.type === 'NS')));
  if (extra.length > 0) {
    throw new AwsError(
      'HostedZoneNotEmpty',
      'The specified hosted zone contains non-required resource record sets and so cannot be deleted.',
      400,
    );
  }
  ctx.state.zones.delete(zone.id);
  const change = submitChange(ctx, undefined);
  return {
    DeleteHostedZoneResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      ChangeInfo: changeInfoXml(change, ctx.core.clock.now()),
    },
  };
}
