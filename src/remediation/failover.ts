import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { awsCall } from '../aws/errors.ts';
import type { PlannedAction } from '../runbooks/match.ts';

type Failover = Extract<PlannedAction, { kind: 'failover' }>;

/** A bad failover runbook or a zone that is not as it says: not retried, a person must fix it. */
export class FailoverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FailoverError';
  }
}

const absolute = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

/**
 * Fails a failover record pair over by hand: the PRIMARY set is upserted to answer what the
 * SECONDARY answers (its alias target or records), keeping its identity and health check. Traffic
 * then stays on the secondary even if the primary's health check recovers and flaps, until a person
 * fails back. An UPSERT to the same value is a no-op, so a retried step changes nothing twice.
 * Returns the change id, PENDING until Route 53 has it everywhere (INSYNC).
 */
export async function failOver(route53: Route53Client, action: Failover, comment: string): Promise<string> {
  const zones = await awsCall('find the hosted zone', () =>
    route53.send(new ListHostedZonesByNameCommand({ DNSName: action.hostedZone, MaxItems: 1 })),
  );
  const zone = zones.HostedZones?.find((z) => absolute(z.Name ?? '') === absolute(action.hostedZone));
  if (!zone?.Id) throw new FailoverError(`no hosted zone ${action.hostedZone}`);
  const sets = await awsCall('read the failover records', () =>
    route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zone.Id,
        StartRecordName: action.record,
        StartRecordType: action.type as ResourceRecordSet['Type'],
      }),
    ),
  );
  const pair = (sets.ResourceRecordSets ?? []).filter(
    (r) => absolute(r.Name ?? '') === absolute(action.record) && r.Type === action.type,
  );
  const primary = pair.find((r) => r.SetIdentifier === action.primary);
  const secondary = pair.find((r) => r.SetIdentifier === action.secondary);
  if (!primary || !secondary)
    throw new FailoverError(
      `${action.record} ${action.type} in ${action.hostedZone} has no record sets '${action.primary}' and '${action.secondary}'`,
    );
  const target: ResourceRecordSet = {
    ...primary,
    AliasTarget: secondary.AliasTarget,
    ResourceRecords: secondary.ResourceRecords,
    TTL: secondary.TTL,
  };
  const out = await awsCall('fail the record over', () =>
    route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.Id,
        ChangeBatch: { Comment: comment, Changes: [{ Action: 'UPSERT', ResourceRecordSet: target }] },
      }),
    ),
  );
  const id = out.ChangeInfo?.Id;
  if (!id) throw new FailoverError('Route 53 answered the change without an id');
  return id.replace(/^\/change\//, '');
}

/** PENDING or INSYNC. */
export async function changeStatus(route53: Route53Client, changeId: string): Promise<string> {
  const out = await awsCall(`get Route 53 change ${changeId}`, () =>
    route53.send(new GetChangeCommand({ Id: changeId })),
  );
  return out.ChangeInfo?.Status ?? 'PENDING';
}
