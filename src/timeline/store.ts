import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { awsCall } from '../aws/errors.ts';
import {
  type Incident,
  incident as incidentSchema,
  type NewTimelineEvent,
  type TimelineEvent,
  timelineEvent,
} from './event.ts';

/**
 * The timeline table (declared in serverless.yml): one partition per incident.
 * - `pk = INCIDENT#<id>, sk = META`: the incident.
 * - `pk = INCIDENT#<id>, sk = EVENT#<eventId>`: an event; writing it is conditional on the key
 *   not existing, so the same event written twice is stored once.
 * - `at = <occurredAt>#<eventId>` on every event, the sort key of the `byTime` local index, so the
 *   timeline reads back ordered by when things happened, ties broken by id, page by page.
 */
export const TIMELINE_INDEX = 'byTime';

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

  constructor(db: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.db = db;
    this.table = table;
    this.now = now;
  }

  /** Creates the incident, or returns the one already there (a retried OpenIncident). */
  async openIncident(
    input: Omit<Incident, 'status' | 'closedAt'> & { status?: Incident['status'] },
  ): Promise<Incident> {
    const item = incidentSchema.parse({ ...input, status: input.status ?? 'open' });
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
      return item;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return this.getIncident(item.incidentId);
      throw e;
    }
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
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return incidentSchema.parse(rest);
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
   * Appends an event. Returns false when an event with the same id is already on the timeline
   * (nothing is written: automatic events are never edited).
   */
  async append(incidentId: string, input: NewTimelineEvent): Promise<boolean> {
    const event = timelineEvent.parse({
      ...input,
      incidentId,
      recordedAt: input.recordedAt ?? this.now().toISOString(),
    });
    try {
      await awsCall('append timeline event', () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: pk(incidentId),
              sk: `EVENT#${event.eventId}`,
              at: `${event.occurredAt}#${event.eventId}`,
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

  /** One page of the timeline, oldest first. Pass the returned cursor to read the next page. */
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
          ExclusiveStartKey: opts.cursor
            ? JSON.parse(Buffer.from(opts.cursor, 'base64url').toString('utf8'))
            : undefined,
        }),
      ),
    );
    const events = (out.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, at: _at, ...rest } = item;
      return timelineEvent.parse(rest);
    });
    const cursor = out.LastEvaluatedKey
      ? Buffer.from(JSON.stringify(out.LastEvaluatedKey), 'utf8').toString('base64url')
      : undefined;
    return { events, cursor };
  }

  /** The whole timeline, oldest first. */
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

function pk(incidentId: string): string {
  return `INCIDENT#${incidentId}`;
}
