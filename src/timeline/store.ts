import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { awsCall, TransientAwsError } from '../aws/errors.ts';
import {
  type Incident,
  incident as incidentSchema,
  type NewTimelineEvent,
  type TimelineEvent,
  timelineEvent,
} from './event.ts';
import { timelineSortKey } from './order.ts';
import { RunHistory } from './runs.ts';

/**
 * The timeline table (declared in serverless.yml): one partition per incident.
 * - `pk = INCIDENT#<id>, sk = META`: the incident.
 * - `pk = INCIDENT#<id>, sk = EVENT#<eventId>`: an event; writing it is conditional on the key
 *   not existing, so the same event written twice is stored once.
 * - `pk = INCIDENT#<id>, sk = SEQ`: the incident's event counter (`n`), raised by one with an
 *   atomic ADD for every event written, so concurrent writers each get their own number (`seq`).
 * - `at = <occurredAt>#<seq>` on every event, the sort key of the `byTime` local index, so the
 *   timeline reads back in its order (src/timeline/order.ts), page by page.
 * - `pk = INCIDENTS, sk = <openedAt>#<id>`: one small, never-changing item per incident, so that
 *   incidents list newest first with a Query, not a Scan of every event in the table. Status and
 *   verdict are read from the incident itself (they change; this item does not).
 * - Each game day's record, for the scorecard and the next run's report: src/timeline/runs.ts.
 */
export const TIMELINE_INDEX = 'byTime';
const INCIDENTS_PK = 'INCIDENTS';
const SEQUENCE_SK = 'SEQ';
/** BatchGetItem's limit on keys per request. */
const BATCH_GET_MAX = 100;
/** Rounds of BatchGetItem for keys DynamoDB left unprocessed (under throttling) before giving up. */
const BATCH_GET_ROUNDS = 5;

export class IncidentNotFoundError extends Error {
  constructor(incidentId: string) {
    super(`no incident '${incidentId}'`);
    this.name = 'IncidentNotFoundError';
  }
}

export class TimelineStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;
  /** The game days' records, in the same table. */
  readonly runs: RunHistory;

  constructor(db: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.db = db;
    this.table = table;
    this.now = now;
    this.runs = new RunHistory(db, table);
  }

  /** Creates the incident, or returns the one already there (a retried OpenIncident). */
  async openIncident(
    input: Omit<Incident, 'status' | 'closedAt'> & { status?: Incident['status'] },
  ): Promise<Incident> {
    const item = incidentSchema.parse({ ...input, status: input.status ?? 'open' });
    let stored = item;
    try {
      await awsCall('open incident', () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: pk(item.incidentId), sk: 'META', ...item },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      stored = await this.getIncident(item.incidentId);
    }
    // Written after the incident, and again on a retry, so an OpenIncident that stopped in between is still listed.
    await awsCall('index incident', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: INCIDENTS_PK,
            sk: incidentsSortKey(stored),
            incidentId: stored.incidentId,
            openedAt: stored.openedAt,
          },
        }),
      ),
    );
    return stored;
  }

  /**
   * One page of incidents, newest first (by openedAt; `oldestFirst` the other way). Pass the
   * returned cursor to read the next page; each incident's own cursor (`incidentCursor`) reads on
   * from it.
   */
  async listIncidents(
    opts: { limit?: number; cursor?: string; oldestFirst?: boolean } = {},
  ): Promise<{ incidents: Incident[]; cursor: string | undefined }> {
    const out = await awsCall('list incidents', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': INCIDENTS_PK },
          ScanIndexForward: opts.oldestFirst === true,
          Limit: opts.limit ?? 100,
          ExclusiveStartKey: decodeCursor(opts.cursor),
        }),
      ),
    );
    const ids = (out.Items ?? []).map((item) => String(item.incidentId));
    const found = await this.incidentsById(ids);
    return {
      // An index item whose incident is gone cannot happen (the incident is written first): skip it rather than fail the list.
      incidents: ids.flatMap((id) => found.get(id) ?? []),
      cursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  private async incidentsById(ids: readonly string[]): Promise<Map<string, Incident>> {
    const found = new Map<string, Incident>();
    for (let i = 0; i < ids.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] | undefined = ids
        .slice(i, i + BATCH_GET_MAX)
        .map((id) => ({ pk: pk(id), sk: 'META' }));
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) {
          throw new TransientAwsError(`read incidents: ${keys.length} key(s) still unprocessed`);
        }
        const request: Record<string, unknown>[] = keys;
        const out = await awsCall('read incidents', () =>
          this.db.send(
            new BatchGetCommand({
              RequestItems: { [this.table]: { Keys: request, ConsistentRead: true } },
            }),
          ),
        );
        for (const item of out.Responses?.[this.table] ?? []) {
          const incident = incidentOf(item);
          found.set(incident.incidentId, incident);
        }
        keys = out.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return found;
  }

  async findIncident(incidentId: string): Promise<Incident | undefined> {
    const out = await awsCall('get incident', () =>
      this.db.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: pk(incidentId), sk: 'META' },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? incidentOf(out.Item) : undefined;
  }

  async getIncident(incidentId: string): Promise<Incident> {
    const found = await this.findIncident(incidentId);
    if (!found) throw new IncidentNotFoundError(incidentId);
    return found;
  }

  /** Updates the incident's status and merges attributes (the incident row is not an event: it may change). */
  async updateIncident(
    incidentId: string,
    change: { status?: Incident['status']; closedAt?: string; attributes?: Record<string, unknown> },
  ): Promise<void> {
    const current = await this.getIncident(incidentId);
    const next = incidentSchema.parse({
      ...current,
      ...(change.status ? { status: change.status } : {}),
      ...(change.closedAt ? { closedAt: change.closedAt } : {}),
      attributes: { ...current.attributes, ...(change.attributes ?? {}) },
    });
    await awsCall('update incident', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: pk(incidentId), sk: 'META' },
          UpdateExpression: 'SET #s = :s, attributes = :a' + (next.closedAt ? ', closedAt = :c' : ''),
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':s': next.status,
            ':a': next.attributes,
            ...(next.closedAt ? { ':c': next.closedAt } : {}),
          },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  /**
   * Appends an event, numbered after every event already written on the incident (its `seq`).
   * Returns false when an event with the same id is already on the timeline (nothing is written:
   * automatic events are never edited, and the first write keeps its place).
   */
  async append(incidentId: string, input: NewTimelineEvent): Promise<boolean> {
    const parsed = timelineEvent.parse({
      ...input,
      incidentId,
      recordedAt: input.recordedAt ?? this.now().toISOString(),
    });
    const event = { ...parsed, seq: await this.nextSeq(incidentId) };
    try {
      await awsCall('append timeline event', () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: pk(incidentId),
              sk: `EVENT#${event.eventId}`,
              at: timelineSortKey(event),
              ...event,
            },
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        ),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  /** The incident's next sequence number: one atomic ADD, so two writers never get the same. */
  private async nextSeq(incidentId: string): Promise<number> {
    const out = await awsCall('number timeline event', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: pk(incidentId), sk: SEQUENCE_SK },
          UpdateExpression: 'ADD #n :one',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const n = out.Attributes?.n;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw new Error(
        `the timeline counter of incident '${incidentId}' holds ${JSON.stringify(n)}, not a count`,
      );
    }
    return n;
  }

  /** The event with this id on the incident's timeline, if there is one. */
  async findEvent(incidentId: string, eventId: string): Promise<TimelineEvent | undefined> {
    const out = await awsCall('get timeline event', () =>
      this.db.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: pk(incidentId), sk: `EVENT#${eventId}` },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? eventOf(out.Item) : undefined;
  }

  /** The events whose ids start with `prefix` (e.g. `approval:`), in id order: a cheap look for one kind. */
  async withIdPrefix(incidentId: string, prefix: string): Promise<TimelineEvent[]> {
    const events: TimelineEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await awsCall('read timeline events', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': pk(incidentId), ':prefix': `EVENT#${prefix}` },
            ExclusiveStartKey: start,
          }),
        ),
      );
      events.push(...(out.Items ?? []).map(eventOf));
      start = out.LastEvaluatedKey;
    } while (start);
    return events;
  }

  /** One page of the timeline, in its order (src/timeline/order.ts). Pass the returned cursor to read the next page. */
  async page(
    incidentId: string,
    opts: { limit?: number; cursor?: string } = {},
  ): Promise<{ events: TimelineEvent[]; cursor: string | undefined }> {
    const out = await awsCall('read timeline', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: TIMELINE_INDEX,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk(incidentId) },
          Limit: opts.limit ?? 500,
          ExclusiveStartKey: decodeCursor(opts.cursor),
        }),
      ),
    );
    return { events: (out.Items ?? []).map(eventOf), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** The whole timeline, in its order (src/timeline/order.ts). */
  async all(incidentId: string): Promise<TimelineEvent[]> {
    const events: TimelineEvent[] = [];
    let cursor: string | undefined;
    do {
      const p = await this.page(incidentId, { cursor });
      events.push(...p.events);
      cursor = p.cursor;
    } while (cursor);
    return events;
  }
}

/** The incidents listing's cursor just after this incident (in either order: it is the incident's key). */
export function incidentCursor(incident: Pick<Incident, 'incidentId' | 'openedAt'>): string {
  return encodeCursor({ pk: INCIDENTS_PK, sk: incidentsSortKey(incident) })!;
}

function pk(incidentId: string): string {
  return `INCIDENT#${incidentId}`;
}

/** Normalised to toISOString's form, so that `…:00Z` and `…:00.000Z` sort as the same instant. */
function incidentsSortKey(incident: Pick<Incident, 'incidentId' | 'openedAt'>): string {
  return `${new Date(incident.openedAt).toISOString()}#${incident.incidentId}`;
}

function incidentOf(item: Record<string, unknown>): Incident {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return incidentSchema.parse(rest);
}

function eventOf(item: Record<string, unknown>): TimelineEvent {
  const { pk: _pk, sk: _sk, at: _at, ...rest } = item;
  return timelineEvent.parse(rest);
}

/** A page's LastEvaluatedKey as an opaque cursor for the caller, and back. */
function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  return cursor ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
}
