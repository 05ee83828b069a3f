import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { awsCall } from '../aws/errors.ts';

/**
 * The one primitive every remediation limit is made of: `max` slots under a key, each held by
 * one owner until `until`. Taking a slot is a conditional put that succeeds only on a slot that is
 * free (never taken, expired, or already this owner's), so concurrent takers can never hold more
 * than `max` at once, and no slot is held longer than `holdMs`:
 * - at most `max` actions in any `holdMs`-long interval (a sliding window, not a fixed one),
 * - a cooldown is one slot held for the cooldown,
 * - an event claim is one slot held for as long as duplicates may arrive.
 *
 * Items carry `expiresAt` (epoch seconds) for DynamoDB's TTL to sweep them; expiry is not relied
 * on: a slot past its `until` is free whether or not TTL has deleted it yet.
 */
export interface SlotStore {
  db: DynamoDBDocumentClient;
  table: string;
  now: () => Date;
}

export type Taken = { taken: true; slot: number } | { taken: false };

const SLOT = 'SLOT#';
/** TTL sweeps items a while after they stop mattering, so a late reader still sees who held them. */
const TTL_SLACK_S = 24 * 3600;

export async function takeSlot(
  store: SlotStore,
  key: string,
  opts: { max: number; holdMs: number; owner: string },
): Promise<Taken> {
  const now = store.now().getTime();
  let candidates: number[];
  if (opts.max === 1) {
    // One slot: trying it is as cheap as reading it, and a storm of duplicates is mostly this case.
    candidates = [0];
  } else {
    const held = await slotsOf(store, key);
    // A slot this owner already holds (a retried step) is its slot again, not a second one.
    const own = held.find((s) => s.owner === opts.owner && s.until > now);
    const busy = new Set(held.filter((s) => s.until > now).map((s) => s.slot));
    // Slots past `max` (held before the limit was lowered) still count against it.
    candidates = own ? [own.slot] : busy.size >= opts.max ? [] : range(opts.max).filter((i) => !busy.has(i));
  }
  const until = now + opts.holdMs;
  for (const slot of candidates) {
    try {
      await awsCall('take a remediation slot', () =>
        store.db.send(
          new PutCommand({
            TableName: store.table,
            Item: {
              pk: key,
              sk: `${SLOT}${slot}`,
              owner: opts.owner,
              takenAt: now,
              until,
              expiresAt: Math.ceil(until / 1000) + TTL_SLACK_S,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now OR #owner = :owner',
            ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
            ExpressionAttributeValues: { ':now': now, ':owner': opts.owner },
          }),
        ),
      );
      return { taken: true, slot };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      // Someone took it between the read and now: try the next free one.
    }
  }
  return { taken: false };
}

/** Who holds the key's slots now (for telling a duplicate whose event it is). */
export async function holdersOf(store: SlotStore, key: string): Promise<string[]> {
  const now = store.now().getTime();
  return (await slotsOf(store, key)).filter((s) => s.until > now).map((s) => s.owner);
}

/** Gives back a slot this owner took (the step after it was refused); someone else's is left alone. */
export async function releaseSlot(store: SlotStore, key: string, slot: number, owner: string): Promise<void> {
  try {
    await awsCall('release a remediation slot', () =>
      store.db.send(
        new DeleteCommand({
          TableName: store.table,
          Key: { pk: key, sk: `${SLOT}${slot}` },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}

/** Gives back every slot under the key that this owner holds. */
export async function releaseOwnedSlots(store: SlotStore, key: string, owner: string): Promise<void> {
  for (const s of await slotsOf(store, key))
    if (s.owner === owner) await releaseSlot(store, key, s.slot, owner);
}

/** Frees every slot under a key (a circuit breaker that closes forgets its failures). */
export async function clearSlots(store: SlotStore, key: string): Promise<void> {
  for (const s of await slotsOf(store, key)) {
    await awsCall('clear a remediation slot', () =>
      store.db.send(new DeleteCommand({ TableName: store.table, Key: { pk: key, sk: `${SLOT}${s.slot}` } })),
    );
  }
}

interface HeldSlot {
  slot: number;
  owner: string;
  until: number;
}

/** The key's slots as stored; a strongly consistent read, only to choose which slot to try. */
async function slotsOf(store: SlotStore, key: string): Promise<HeldSlot[]> {
  const out: HeldSlot[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await awsCall('read remediation slots', () =>
      store.db.send(
        new QueryCommand({
          TableName: store.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
          ExpressionAttributeValues: { ':pk': key, ':slot': SLOT },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? [])
      out.push({
        slot: Number(String(item.sk).slice(SLOT.length)),
        owner: String(item.owner),
        until: Number(item.until),
      });
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
