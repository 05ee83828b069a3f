import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { awsCall, TransientAwsError } from '../aws/errors.ts';
import { type RunRecord, runRecord } from '../scorecard/run.ts';

/**
 * Every game day's record (src/scorecard/run.ts), in the timeline table beside the timelines, laid
 * out for the questions asked of a service's history:
 *
 * - `pk = SERVICE#<service>, sk = RUN#<openedAt>#<incidentId>`: the record. A service's runs over
 *   any span of days, oldest or newest first, are one Query on a key range.
 * - `at = EXPERIMENT#<experiment>#<openedAt>#<incidentId>` on the records of counted game days
 *   (not dry runs, not refused ones): the table's `byTime` local index sorts a partition by `at`,
 *   so the runs of one experiment, newest first, are a Query on that index (the previous run is
 *   one item). The index is sparse: dry and refused runs, which have no `at`, are not in it.
 * - `pk = SERVICES, sk = <service>`: the services that have a run, for a scorecard of all of them.
 * - `pk = RUN-INDEX, sk = CAUGHT-UP`: how far src/scorecard/catch-up.ts has checked the incidents
 *   for game days without a record (written before records existed, or by an older deployment).
 *
 * RenderReport writes the record when it renders the report (src/gameday/render-report.ts).
 */
const RUNS_PREFIX = 'RUN#';
const SERVICES_PK = 'SERVICES';
const MARK_KEY = { pk: 'RUN-INDEX', sk: 'CAUGHT-UP' } as const;
/** Past any incident id in a sort key (ids are printable ASCII). */
const HIGHEST = '\uffff';
const BATCH_GET_MAX = 100;
const BATCH_GET_ROUNDS = 5;

/** Where the catch-up stopped: the incidents listing's cursor after the last incident it is done with. */
export interface CatchUpMark {
  cursor: string | null;
  at: string;
  recorded: number;
}

/** A page of records, and how many items were not records this version reads. */
export interface RunsRead {
  runs: RunRecord[];
  unreadable: number;
}

const servicePk = (service: string) => `SERVICE#${service}`;
const runSk = (openedAt: string, incidentId: string) =>
  `${RUNS_PREFIX}${new Date(openedAt).toISOString()}#${incidentId}`;
const experimentKey = (experiment: string) => `EXPERIMENT#${experiment}#`;

export class RunHistory {
  private readonly db: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.db = db;
    this.table = table;
  }

  /** Writes (or rewrites: a report rendered again) a game day's record, and lists its service. */
  async record(run: RunRecord): Promise<void> {
    const parsed = runRecord.parse(run);
    const counted = parsed.kind === 'gameday' && parsed.experiment !== null;
    await awsCall('record game day', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: servicePk(parsed.service),
            sk: runSk(parsed.openedAt, parsed.incidentId),
            ...(counted ? { at: this.experimentSortKey(parsed) } : {}),
            ...parsed,
          },
        }),
      ),
    );
    await awsCall('list service', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: SERVICES_PK, sk: parsed.service, service: parsed.service },
        }),
      ),
    );
  }

  private experimentSortKey(run: Pick<RunRecord, 'experiment' | 'openedAt' | 'incidentId'>): string {
    return `${experimentKey(run.experiment!)}${new Date(run.openedAt).toISOString()}#${run.incidentId}`;
  }

  /** The service's runs opened from `from` to `to` (inclusive, ISO-8601), oldest first. */
  async between(service: string, from: string, to: string): Promise<RunsRead> {
    const out: RunsRead = { runs: [], unreadable: 0 };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('read game days', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': servicePk(service),
              ':from': `${RUNS_PREFIX}${new Date(from).toISOString()}`,
              ':to': `${RUNS_PREFIX}${new Date(to).toISOString()}#${HIGHEST}`,
            },
            ExclusiveStartKey: start,
          }),
        ),
      );
      collect(page.Items, out);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** The service's newest run of any kind, if it has one. */
  async newest(service: string): Promise<RunRecord | undefined> {
    const page = await awsCall('read newest game day', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :runs)',
          ExpressionAttributeValues: { ':pk': servicePk(service), ':runs': RUNS_PREFIX },
          ScanIndexForward: false,
          Limit: 1,
        }),
      ),
    );
    return firstRun(page.Items);
  }

  /**
   * The newest counted run of the experiment opened before `run` (by opening time, then id), or
   * the newest of all without `run`. Dry and refused runs are not in the experiment's index.
   */
  async latestOf(
    service: string,
    experiment: string,
    before?: Pick<RunRecord, 'openedAt' | 'incidentId'>,
  ): Promise<RunRecord | undefined> {
    const prefix = experimentKey(experiment);
    const upper = before ? this.experimentSortKey({ experiment, ...before }) : `${prefix}${HIGHEST}`;
    const page = await awsCall('read previous game day', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byTime',
          KeyConditionExpression: 'pk = :pk AND #at BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':pk': servicePk(service), ':from': prefix, ':to': upper },
          ScanIndexForward: false,
          // The run itself is the range's last item once it is recorded (a report rendered again).
          Limit: 2,
          ConsistentRead: true,
        }),
      ),
    );
    const items = (page.Items ?? []).filter((i) => !before || i.incidentId !== before.incidentId);
    return firstRun(items);
  }

  /** Every service with a recorded run, by name. */
  async services(): Promise<string[]> {
    const names: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('list services', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': SERVICES_PK },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) names.push(String(item.sk));
      start = page.LastEvaluatedKey;
    } while (start);
    return names;
  }

  /** Which of these game days have a record. */
  async recorded(
    runs: readonly { service: string; openedAt: string; incidentId: string }[],
  ): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < runs.length; i += BATCH_GET_MAX) {
      let keys: Record<string, unknown>[] | undefined = runs
        .slice(i, i + BATCH_GET_MAX)
        .map((r) => ({ pk: servicePk(r.service), sk: runSk(r.openedAt, r.incidentId) }));
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) {
          throw new TransientAwsError(`read game days: ${keys.length} key(s) still unprocessed`);
        }
        const request: Record<string, unknown>[] = keys;
        const out = await awsCall('read game days', () =>
          this.db.send(
            new BatchGetCommand({
              RequestItems: {
                [this.table]: { Keys: request, ProjectionExpression: 'incidentId', ConsistentRead: true },
              },
            }),
          ),
        );
        for (const item of out.Responses?.[this.table] ?? []) found.add(String(item.incidentId));
        keys = out.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return found;
  }

  /**
   * The time by the table's service: this process's clock corrected by the offset the SDK measured
   * from the service's last response (a sandbox on virtual time stamps its responses with its own
   * time). Ask after a request.
   */
  serviceNow(): number {
    const offset = (this.db.config as { systemClockOffset?: unknown }).systemClockOffset;
    return Date.now() + (typeof offset === 'number' ? offset : 0);
  }

  async catchUpMark(): Promise<CatchUpMark | undefined> {
    const out = await awsCall('read run index mark', () =>
      this.db.send(new GetCommand({ TableName: this.table, Key: MARK_KEY, ConsistentRead: true })),
    );
    if (!out.Item) return undefined;
    const { cursor, at, recorded } = out.Item;
    return {
      cursor: typeof cursor === 'string' ? cursor : null,
      at: String(at),
      recorded: typeof recorded === 'number' ? recorded : 0,
    };
  }

  async setCatchUpMark(mark: CatchUpMark): Promise<void> {
    await awsCall('write run index mark', () =>
      this.db.send(new PutCommand({ TableName: this.table, Item: { ...MARK_KEY, ...mark } })),
    );
  }
}

function collect(items: Record<string, unknown>[] | undefined, out: RunsRead): void {
  for (const item of items ?? []) {
    const parsed = runRecord.safeParse(item);
    if (parsed.success) out.runs.push(parsed.data);
    else out.unreadable++;
  }
}

function firstRun(items: Record<string, unknown>[] | undefined): RunRecord | undefined {
  for (const item of items ?? []) {
    const parsed = runRecord.safeParse(item);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}
