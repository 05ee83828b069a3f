import { stripPrefix } from './ids.ts';
import { type FailoverRole, failoverRoles, type RecordSet } from './model.ts';
import { absoluteName } from './names.ts';
import {
  boolean,
  child,
  constraintError,
  integer,
  invalidInput,
  nodeList,
  oneOf,
  requiredText,
  text,
  type XmlNode,
} from './wire.ts';

export const RECORD_TYPES = [
  'SOA',
  'A',
  'TXT',
  'NS',
  'CNAME',
  'MX',
  'NAPTR',
  'PTR',
  'SRV',
  'SPF',
  'AAAA',
  'CAA',
  'DS',
  'TLSA',
  'SSHFP',
  'SVCB',
  'HTTPS',
] as const;

export const CHANGE_ACTIONS = ['CREATE', 'DELETE', 'UPSERT'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export interface ParsedChange {
  action: ChangeAction;
  recordSet: RecordSet;
}

/**
 * Reads one `<Change>` and checks what Route 53 checks before it looks at the zone (InvalidInput):
 * field types, that the record has either an alias target or a TTL with values, and that a set
 * identifier comes with exactly one routing policy.
 */
export function parseChange(node: XmlNode, index: number): ParsedChange {
  const path = `changeBatch.changes.${index}.member`;
  const action = oneOf(node, 'Action', `${path}.action`, CHANGE_ACTIONS);
  if (!action) throw constraintError(`${path}.action`, 'null', 'Member must not be null');
  const rrs = child(node, 'ResourceRecordSet');
  if (!rrs) throw constraintError(`${path}.resourceRecordSet`, 'null', 'Member must not be null');
  const recordSet = parseRecordSet(rrs, `${path}.resourceRecordSet`);
  checkShape(action, recordSet, rrs);
  return { action, recordSet };
}

function parseRecordSet(node: XmlNode, path: string): RecordSet {
  const name = absoluteName(requiredText(node, 'Name', `${path}.name`));
  const type = oneOf(node, 'Type', `${path}.type`, RECORD_TYPES);
  if (!type) throw constraintError(`${path}.type`, 'null', 'Member must not be null');
  const setIdentifier = text(node, 'SetIdentifier');
  if (setIdentifier !== undefined && (setIdentifier.length < 1 || setIdentifier.length > 128)) {
    throw constraintError(
      `${path}.setIdentifier`,
      setIdentifier,
      'Member must have length between 1 and 128',
    );
  }
  const weight = integer(node, 'Weight', `${path}.weight`, { min: 0, max: 255 });
  const region = text(node, 'Region');
  const failover: FailoverRole | undefined = oneOf(node, 'Failover', `${path}.failover`, failoverRoles);
  const multiValueAnswer = boolean(node, 'MultiValueAnswer', `${path}.multiValueAnswer`);
  const ttl = integer(node, 'TTL', `${path}.tTL`, { min: 0, max: 2147483647 });
  const values = nodeList(node, 'ResourceRecords', 'ResourceRecord')?.map((rr, i) =>
    requiredText(rr, 'Value', `${path}.resourceRecords.${i + 1}.member.value`),
  );
  const aliasNode = child(node, 'AliasTarget');
  const aliasTarget = aliasNode
    ? {
        hostedZoneId: stripPrefix(
          requiredText(aliasNode, 'HostedZoneId', `${path}.aliasTarget.hostedZoneId`),
          'hostedzone',
        ),
        dnsName: absoluteName(requiredText(aliasNode, 'DNSName', `${path}.aliasTarget.dNSName`)),
        evaluateTargetHealth: requiredBoolean(
          aliasNode,
          'EvaluateTargetHealth',
          `${path}.aliasTarget.evaluateTargetHealth`,
        ),
      }
    : undefined;
  const healthCheckId = text(node, 'HealthCheckId');
  for (const unsupported of [
    'GeoLocation',
    'GeoProximityLocation',
    'CidrRoutingConfig',
    'TrafficPolicyInstanceId',
  ]) {
    if (node[unsupported] !== undefined) {
      throw invalidInput(`Invalid request: ${unsupported} routing is not emulated by the faultline sandbox`);
    }
  }
  return {
    name,
    type,
    ...(setIdentifier !== undefined ? { setIdentifier } : {}),
    ...(weight !== undefined ? { weight } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(failover !== undefined ? { failover } : {}),
    ...(multiValueAnswer !== undefined ? { multiValueAnswer } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
    ...(values !== undefined ? { values } : {}),
    ...(aliasTarget !== undefined ? { aliasTarget } : {}),
    ...(healthCheckId !== undefined ? { healthCheckId } : {}),
  };
}

function requiredBoolean(node: XmlNode, key: string, path: string): boolean {
  const value = boolean(node, key, path);
  if (value === undefined) throw constraintError(path, 'null', 'Member must not be null');
  return value;
}

function describe(action: ChangeAction, rs: RecordSet): string {
  return `[Action=${action}, Name=${rs.name}, Type=${rs.type}, SetIdentifier=${rs.setIdentifier ?? 'null'}]`;
}

function checkShape(action: ChangeAction, rs: RecordSet, node: XmlNode): void {
  const hasRecords = rs.ttl !== undefined && rs.values !== undefined && rs.values.length > 0;
  const answers = (rs.aliasTarget ? 1 : 0) + (hasRecords ? 1 : 0);
  const stray = rs.aliasTarget !== undefined && (rs.ttl !== undefined || node.ResourceRecords !== undefined);
  if (answers !== 1 || stray) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${
        answers === 0 && !stray ? 'none' : 'more than one'
      } in Change with ${describe(action, rs)}`,
    );
  }
  const policies = [rs.weight, rs.region, rs.failover, rs.multiValueAnswer].filter(
    (p) => p !== undefined,
  ).length;
  if (rs.setIdentifier === undefined && policies > 0) {
    throw invalidInput(
      `Invalid request: Missing field 'SetIdentifier' in Change with ${describe(action, rs)}`,
    );
  }
  if (rs.setIdentifier !== undefined && policies !== 1) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found ${
        policies === 0 ? 'none' : 'more than one'
      } in Change with ${describe(action, rs)}`,
    );
  }
}
