import { AwsError } from '../../protocol/types.ts';
import type { Route53Context } from './context.ts';
import type { ChangeRecord, RecordSet } from './model.ts';
import { absoluteName } from './names.ts';
import { changeRecords } from './records.ts';

/** Which failover pair to move, as a runbook names it. */
export interface FailoverRequest {
  /** The hosted zone's name, e.g. `example.com.`. */
  hostedZone: string;
  record: string;
  type: string;
  /** Set identifiers of the PRIMARY and SECONDARY record sets. */
  primary: string;
  secondary: string;
  comment?: string;
}

/**
 * Moves a failover pair over, as a runbook's script does it through the API: the PRIMARY set is
 * upserted to answer what the SECONDARY answers (its alias target or its values and TTL), keeping
 * its identity. The change propagates like any other (PENDING, then INSYNC). Refused with Route
 * 53's codes when the zone or the pair is not there.
 */
export function failOverRecord(ctx: Route53Context, req: FailoverRequest): ChangeRecord {
  const zoneName = absoluteName(req.hostedZone);
  const zone = [...ctx.state.zones.values()].find((z) => !z.privateZone && z.name === zoneName);
  if (!zone) throw new AwsError('NoSuchHostedZone', `No hosted zone found with name: ${zoneName}`, 404);
  const name = absoluteName(req.record);
  const sets = zone.records.filter((r) => r.name === name && r.type === req.type);
  const primary = sets.find((r) => r.setIdentifier === req.primary);
  const secondary = sets.find((r) => r.setIdentifier === req.secondary);
  if (!primary || !secondary) {
    throw new AwsError(
      'InvalidInput',
      `${name} ${req.type} in ${zoneName} has no record sets '${req.primary}' and '${req.secondary}'`,
    );
  }
  const { aliasTarget: _a, values: _v, ttl: _t, ...identity } = primary;
  const target: RecordSet = {
    ...identity,
    ...(secondary.aliasTarget ? { aliasTarget: { ...secondary.aliasTarget } } : {}),
    ...(secondary.values ? { values: [...secondary.values] } : {}),
    ...(secondary.ttl !== undefined ? { ttl: secondary.ttl } : {}),
  };
  return changeRecords(ctx, zone, [{ action: 'UPSERT', recordSet: target }], req.comment);
}
