import { RawResponse } from '../../protocol/rest-xml.ts';
import { toXml } from '../../protocol/xml.ts';
import { applyChangeBatch, InvalidChangeBatchError, sortRecords } from './change-batch.ts';
import { requireChange, submitChange } from './changes.ts';
import type { Route53Context } from './context.ts';
import { stripPrefix } from './ids.ts';
import type { ChangeRecord, HostedZone } from './model.ts';
import { absoluteName, compareText, reversedName } from './names.ts';
import { type ParsedChange, parseChange, RECORD_TYPES } from './record-parse.ts';
import { changeInfoXml, recordSetXml } from './render.ts';
import {
  child,
  constraintError,
  invalidInput,
  maxItems,
  nodeList,
  ROUTE53_XMLNS,
  readBody,
  text,
} from './wire.ts';
import { requireZone } from './zones.ts';

/** Route 53 answers at most this many record sets per ListResourceRecordSets call. */
const MAX_RECORDS_PER_PAGE = 300;

/** Applies a validated batch to the zone and starts its propagation. */
export function changeRecords(
  ctx: Route53Context,
  zone: HostedZone,
  changes: ParsedChange[],
  comment?: string,
): ChangeRecord {
  zone.records = applyChangeBatch(ctx, zone, changes);
  return submitChange(ctx, zone, comment);
}

export function changeResourceRecordSets(
  ctx: Route53Context,
  zoneId: string,
  body: Buffer,
  requestId: string,
): unknown {
  const zone = requireZone(ctx, zoneId);
  const req = readBody(body, 'ChangeResourceRecordSetsRequest');
  const batch = child(req, 'ChangeBatch');
  if (!batch) throw constraintError('changeBatch', 'null', 'Member must not be null');
  const comment = text(batch, 'Comment');
  if (comment !== undefined && comment.length > 256) {
    throw constraintError(
      'changeBatch.comment',
      comment,
      'Member must have length less than or equal to 256',
    );
  }
  const nodes = nodeList(batch, 'Changes', 'Change') ?? [];
  if (nodes.length === 0) {
    throw constraintError('changeBatch.changes', '[]', 'Member must have length greater than or equal to 1');
  }
  const changes = nodes.map((n, i) => parseChange(n, i + 1));
  try {
    const change = changeRecords(ctx, zone, changes, comment || undefined);
    return {
      ChangeResourceRecordSetsResponse: {
        '@_xmlns': ROUTE53_XMLNS,
        ChangeInfo: changeInfoXml(change, ctx.core.clock.now()),
      },
    };
  } catch (e) {
    if (e instanceof InvalidChangeBatchError) return invalidChangeBatchResponse(e, requestId);
    throw e;
  }
}

/**
 * InvalidChangeBatch is Route 53's usual ErrorResponse plus the list of problems, which the SDK
 * reads into the exception's `messages`.
 */
function invalidChangeBatchResponse(err: InvalidChangeBatchError, requestId: string): RawResponse {
  return new RawResponse(
    err.status,
    {},
    toXml({
      ErrorResponse: {
        '@_xmlns': ROUTE53_XMLNS,
        Error: {
          Type: err.fault,
          Code: err.code,
          Message: err.message,
          messages: { Message: err.messages },
        },
        RequestId: requestId,
      },
    }),
  );
}

export function getChange(ctx: Route53Context, id: string): Record<string, unknown> {
  const change = requireChange(ctx, stripPrefix(id, 'change'));
  return {
    GetChangeResponse: { '@_xmlns': ROUTE53_XMLNS, ChangeInfo: changeInfoXml(change, ctx.core.clock.now()) },
  };
}

/**
 * ListResourceRecordSets in Route 53's order (names with their labels reversed, then type, then
 * set identifier), starting at the first record set at or after StartRecordName/Type/Identifier.
 */
export function listResourceRecordSets(
  ctx: Route53Context,
  zoneId: string,
  query: URLSearchParams,
): Record<string, unknown> {
  const zone = requireZone(ctx, zoneId);
  const limit = maxItems(query, MAX_RECORDS_PER_PAGE);
  const startName = query.get('name') ?? undefined;
  const startType = query.get('type') ?? undefined;
  const startIdentifier = query.get('identifier') ?? undefined;
  if (startType !== undefined && startName === undefined) {
    throw invalidInput(
      'The input is not valid: you must specify StartRecordName when you specify StartRecordType',
    );
  }
  if (startIdentifier !== undefined && startType === undefined) {
    throw invalidInput(
      'The input is not valid: you must specify StartRecordName and StartRecordType when you specify StartRecordIdentifier',
    );
  }
  if (startType !== undefined && !(RECORD_TYPES as readonly string[]).includes(startType)) {
    throw constraintError(
      'startRecordType',
      startType,
      `Member must satisfy enum value set: [${RECORD_TYPES.join(', ')}]`,
    );
  }
  const records = sortRecords(zone.records);
  const start =
    startName === undefined
      ? 0
      : records.findIndex((r) => {
          const key = [reversedName(r.name), r.type, r.setIdentifier ?? ''];
          const from = [reversedName(absoluteName(startName)), startType ?? '', startIdentifier ?? ''];
          return compareText(key.join('\u0000'), from.join('\u0000')) >= 0;
        });
  const begin = start < 0 ? records.length : start;
  const page = records.slice(begin, begin + limit);
  const next = records[begin + limit];
  return {
    ListResourceRecordSetsResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      ResourceRecordSets: { ResourceRecordSet: page.map(recordSetXml) },
      IsTruncated: next !== undefined,
      NextRecordName: next?.name,
      NextRecordType: next?.type,
      NextRecordIdentifier: next?.setIdentifier,
      MaxItems: limit,
    },
  };
}
