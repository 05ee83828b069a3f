import type { AwsEvent } from '../../events.ts';
import { AwsError } from '../../protocol/types.ts';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  /** Epoch seconds on the wire. */
  Time?: number;
  EventBusName?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * Turns PutEvents entries into events, or per-entry errors as EventBridge reports them (the
 * request as a whole fails only when it is malformed). Unlike AWS, sources starting with `aws.`
 * are accepted, so that a test or a user can send the sandbox an alarm state change.
 */
export function eventsFromEntries(
  entries: unknown,
  ctx: { account: string; region: string; now: number; newId: () => string },
): { event: AwsEvent | undefined; result: PutEventsResultEntry }[] {
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
    );
  }
  if (Buffer.byteLength(JSON.stringify(entries)) > MAX_REQUEST_BYTES) {
    throw new AwsError('ValidationException', 'Total size of the entries in the request is over the limit.');
  }
  return (entries as PutEventsEntry[]).map((entry) => {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({
      event: undefined,
      result: { ErrorCode, ErrorMessage },
    });
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry?.[field] !== 'string' || entry[field] === '') {
        return fail(
          'InvalidArgument',
          `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        );
      }
    }
    const bus = entry.EventBusName;
    if (
      bus !== undefined &&
      bus !== 'default' &&
      !/^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/default$/.test(bus)
    ) {
      return fail('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail!);
    } catch {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return fail('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
    }
    if (
      entry.Resources !== undefined &&
      (!Array.isArray(entry.Resources) || !entry.Resources.every((r) => typeof r === 'string'))
    ) {
      return fail(
        'InvalidArgument',
        'Parameter Resources is not valid. Reason: Resources must be a list of strings.',
      );
    }
    const time = typeof entry.Time === 'number' ? entry.Time * 1000 : ctx.now;
    const event: AwsEvent = {
      version: '0',
      id: ctx.newId(),
      'detail-type': entry.DetailType!,
      source: entry.Source!,
      account: ctx.account,
      time: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: ctx.region,
      resources: entry.Resources ?? [],
      detail: detail as Record<string, unknown>,
    };
    return { event, result: { EventId: event.id } };
  });
}
