import { isIPv4, isIPv6 } from 'node:net';
import { AwsError } from '../../protocol/types.ts';
import type { Route53Context } from './context.ts';
import type { HostedZone, RecordSet } from './model.ts';
import { compareText, dnsNameProblem, isInZone, reversedName } from './names.ts';
import type { ParsedChange } from './record-parse.ts';

/**
 * InvalidChangeBatch carries every problem Route 53 found in the batch; the message lists them as
 * `[first, second]` and the SDK exposes them as `messages`.
 */
export class InvalidChangeBatchError extends AwsError {
  readonly messages: string[];
  constructor(messages: string[]) {
    super('InvalidChangeBatch', `[${messages.join(', ')}]`, 400);
    this.messages = messages;
  }
}

/** Route 53's limit on changes in one batch. */
const MAX_CHANGES = 1000;

/**
 * Validates a batch against the zone and returns the zone's records with every change applied.
 * Changes apply in order to a working copy (so DELETE then CREATE of the same set is a
 * replacement); a batch with any invalid change changes nothing.
 */
export function applyChangeBatch(
  ctx: Route53Context,
  zone: HostedZone,
  changes: ParsedChange[],
): RecordSet[] {
  if (changes.length > MAX_CHANGES) {
    throw new InvalidChangeBatchError([`Number of records limit of ${MAX_CHANGES} exceeded.`]);
  }
  let working = [...zone.records];
  const problems: string[] = [];
  for (const change of changes) {
    const found = problemsWith(ctx, zone, working, change);
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    working = applied(working, change);
  }
  if (problems.length > 0) throw new InvalidChangeBatchError(problems);
  return sortRecords(working);
}

export function sortRecords(records: RecordSet[]): RecordSet[] {
  return [...records].sort(
    (a, b) =>
      compareText(reversedName(a.name), reversedName(b.name)) ||
      compareText(a.type, b.type) ||
      compareText(a.setIdentifier ?? '', b.setIdentifier ?? ''),
  );
}

function sameIdentity(a: RecordSet, b: RecordSet): boolean {
  return a.name === b.name && a.type === b.type && a.setIdentifier === b.setIdentifier;
}

function applied(records: RecordSet[], { action, recordSet }: ParsedChange): RecordSet[] {
  const others = records.filter((r) => !sameIdentity(r, recordSet));
  return action === 'DELETE' ? others : [...others, recordSet];
}

function identity(rs: RecordSet): string {
  const set = rs.setIdentifier === undefined ? '' : `, set-identifier='${rs.setIdentifier}'`;
  return `[name='${rs.name}', type='${rs.type}'${set}]`;
}

function problemsWith(
  ctx: Route53Context,
  zone: HostedZone,
  records: RecordSet[],
  { action, recordSet: rs }: ParsedChange,
): string[] {
  const nameProblem = dnsNameProblem(rs.name);
  if (nameProblem) return [`FATAL problem: ${nameProblem}`];
  if (!isInZone(rs.name, zone.name))
    return [`RRSet with DNS name ${rs.name} is not permitted in zone ${zone.name}`];
  const existing = records.find((r) => sameIdentity(r, rs));
  if (action === 'DELETE') return deleteProblems(zone, records, rs, existing);
  if (action === 'CREATE' && existing) {
    return [`Tried to create resource record set ${identity(rs)} but it already exists`];
  }
  return [
    ...valueProblems(rs),
    ...conflictProblems(zone, records, rs),
    ...referenceProblems(ctx, zone, records, rs),
  ];
}

function deleteProblems(
  zone: HostedZone,
  records: RecordSet[],
  rs: RecordSet,
  existing: RecordSet | undefined,
): string[] {
  if (!existing) return [`Tried to delete resource record set ${identity(rs)} but it was not found`];
  if (!sameContent(existing, rs)) {
    return [
      `Tried to delete resource record set ${identity(rs)} but the values provided do not match the current values`,
    ];
  }
  if (
    rs.name === zone.name &&
    rs.type === 'NS' &&
    !records.some((r) => r !== existing && r.name === zone.name && r.type === 'NS')
  ) {
    return ['A HostedZone must contain at least one NS record for the zone itself.'];
  }
  if (rs.name === zone.name && rs.type === 'SOA')
    return ['A HostedZone must contain exactly one SOA record.'];
  return [];
}

/** DELETE must repeat the record set exactly (values in any order), as Route 53 requires. */
function sameContent(a: RecordSet, b: RecordSet): boolean {
  const values = (r: RecordSet) => JSON.stringify([...(r.values ?? [])].sort());
  return (
    a.ttl === b.ttl &&
    a.weight === b.weight &&
    a.region === b.region &&
    a.failover === b.failover &&
    a.multiValueAnswer === b.multiValueAnswer &&
    a.healthCheckId === b.healthCheckId &&
    values(a) === values(b) &&
    JSON.stringify(a.aliasTarget ?? null) === JSON.stringify(b.aliasTarget ?? null)
  );
}

function valueProblems(rs: RecordSet): string[] {
  const values = rs.values ?? [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) problems.push(`Duplicate Resource Record: '${v}'`);
    seen.add(v);
    if (rs.type === 'A' && !isIPv4(v)) {
      problems.push(
        `Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${v}''`,
      );
    }
    if (rs.type === 'AAAA' && !isIPv6(v)) {
      problems.push(
        `Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '${v}''`,
      );
    }
  }
  if (rs.type === 'CNAME' && values.length > 1) {
    problems.push(`RRSet of type CNAME with DNS name ${rs.name} contains more than one resource record`);
  }
  return problems;
}

type RoutingKind = 'simple' | 'weighted' | 'latency' | 'failover' | 'multivalue';

function routingKind(rs: RecordSet): RoutingKind {
  if (rs.weight !== undefined) return 'weighted';
  if (rs.region !== undefined) return 'latency';
  if (rs.failover !== undefined) return 'failover';
  if (rs.multiValueAnswer !== undefined) return 'multivalue';
  return 'simple';
}

/** Route 53's rules for record sets that share a name: one routing policy per name and type, CNAME alone. */
function conflictProblems(zone: HostedZone, records: RecordSet[], rs: RecordSet): string[] {
  const others = records.filter((r) => !sameIdentity(r, rs) && r.name === rs.name);
  if (rs.type === 'CNAME' && rs.name === zone.name) {
    return [`RRSet of type CNAME with DNS name ${rs.name} is not permitted at apex in zone ${zone.name}`];
  }
  if (others.some((r) => (r.type === 'CNAME') !== (rs.type === 'CNAME'))) {
    return [
      `RRSet of type ${rs.type} with DNS name ${rs.name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`,
    ];
  }
  const sameType = others.filter((r) => r.type === rs.type);
  const kind = routingKind(rs);
  const clash = sameType.find((r) => routingKind(r) !== kind);
  if (clash) {
    return kind === 'simple'
      ? [
          `RRSet with DNS name ${rs.name}, type ${rs.type} cannot be created as ${routingKind(clash)} sets exist with the same name and type.`,
        ]
      : [
          `RRSet with DNS name ${rs.name}, type ${rs.type}, SetIdentifier ${rs.setIdentifier} cannot be created as a non-${kind} set exists with the same name and type.`,
        ];
  }
  const sameRole = rs.failover ? sameType.find((r) => r.failover === rs.failover) : undefined;
  if (sameRole) {
    return [
      `RRSet with DNS name ${rs.name}, type ${rs.type}, SetIdentifier ${rs.setIdentifier} cannot be created as a ${rs.failover} failover set (SetIdentifier ${sameRole.setIdentifier}) exists with the same name and type.`,
    ];
  }
  return [];
}

/** Health checks and alias targets the record set points at must exist. */
function referenceProblems(
  ctx: Route53Context,
  zone: HostedZone,
  records: RecordSet[],
  rs: RecordSet,
): string[] {
  const problems: string[] = [];
  if (rs.healthCheckId !== undefined && !ctx.state.healthChecks.has(rs.healthCheckId)) {
    problems.push(`Invalid health check ID: the health check ${rs.healthCheckId} does not exist`);
  }
  const alias = rs.aliasTarget;
  if (!alias) return problems;
  const target = ctx.state.zones.get(alias.hostedZoneId);
  // Alias targets in AWS's own zones (load balancers, CloudFront, S3 websites) are taken as given.
  if (!target) return problems;
  const targetRecords = target.id === zone.id ? records : target.records;
  const where = `Tried to create an alias that targets ${alias.dnsName}, type ${rs.type} in zone ${alias.hostedZoneId}`;
  if (!isInZone(alias.dnsName, target.name)) {
    problems.push(`${where}, but the alias target name does not lie within the target zone`);
  } else if (!targetRecords.some((r) => r.name === alias.dnsName && r.type === rs.type)) {
    problems.push(`${where}, but that target was not found`);
  }
  return problems;
}
