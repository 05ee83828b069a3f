import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { awsCall } from '../aws/errors.ts';
import { clearSlots, type SlotStore, takeSlot } from './slots.ts';

/** A runbook's circuit breaker, in milliseconds. */
export interface BreakerLimits {
  /** Failed or unverified remediations within `windowMs` that open it. */
  failures: number;
  windowMs: number;
  /** How long it stays open before one trial remediation may run. */
  halfOpenAfterMs: number;
}

export type BreakerState =
  | { state: 'closed' }
  | { state: 'open'; openUntil: number }
  | { state: 'half-open'; trialOwner: string; trialUntil: number };

export type BreakerVerdict =
  | { allowed: true; trial: boolean }
  | { allowed: false; reason: string; state: BreakerState };

/**
 * The breaker of each runbook, on the remediation table:
 * - `pk = BREAKER#<runbook>, sk = STATE`: absent while closed; `open` until `openUntil`; then
 *   `half-open` with one trial owner until `trialUntil`.
 * - `pk = FAILURES#<runbook>`: the recent failures, as slots (src/remediation/slots.ts): `failures - 1`
 *   of them held for the window, so the failure that finds none free is the one that opens it.
 * Every change is a conditional write, so concurrent executions agree on one state and on one trial.
 */
export class CircuitBreaker {
  private readonly store: SlotStore;

  constructor(store: SlotStore) {
    this.store = store;
  }

  async state(runbook: string): Promise<BreakerState> {
    const out = await awsCall('read circuit breaker', () =>
      this.store.db.send(
        new GetCommand({ TableName: this.store.table, Key: stateKey(runbook), ConsistentRead: true }),
      ),
    );
    const item = out.Item;
    if (!item) return { state: 'closed' };
    if (item.state === 'open') return { state: 'open', openUntil: Number(item.openUntil) };
    return { state: 'half-open', trialOwner: String(item.trialOwner), trialUntil: Number(item.trialUntil) };
  }

  /**
   * May `owner` remediate now? Closed: yes. Open: no, until `openUntil`; then exactly one caller
   * becomes the trial (half-open) and the others are refused until its outcome, or until the trial
   * has been silent for `halfOpenAfterMs` (an execution that died does not hold it forever).
   */
  async check(runbook: string, owner: string, limits: BreakerLimits): Promise<BreakerVerdict> {
    const now = this.now();
    const current = await this.state(runbook);
    if (current.state === 'closed') return { allowed: true, trial: false };
    if (current.state === 'half-open' && current.trialOwner === owner) return { allowed: true, trial: true };
    const due = current.state === 'open' ? current.openUntil <= now : current.trialUntil <= now;
    if (!due) return { allowed: false, reason: refusal(runbook, current), state: current };
    try {
      await awsCall('half-open circuit breaker', () =>
        this.store.db.send(
          new UpdateCommand({
            TableName: this.store.table,
            Key: stateKey(runbook),
            UpdateExpression:
              'SET #state = :half, trialOwner = :owner, trialUntil = :until, expiresAt = :exp',
            ConditionExpression:
              '(#state = :open AND openUntil <= :now) OR (#state = :half AND trialUntil <= :now)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':half': 'half-open',
              ':open': 'open',
              ':owner': owner,
              ':now': now,
              ':until': now + limits.halfOpenAfterMs,
              ':exp': ttl(now + limits.halfOpenAfterMs + limits.windowMs),
            },
          }),
        ),
      );
      return { allowed: true, trial: true };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const after = await this.state(runbook);
      if (after.state === 'half-open' && after.trialOwner === owner) return { allowed: true, trial: true };
      if (after.state === 'closed') return { allowed: true, trial: false };
      return { allowed: false, reason: refusal(runbook, after), state: after };
    }
  }

  /**
   * The outcome of a remediation `owner` ran. A trial's success closes the breaker (and forgets
   * the failures), its failure opens it again; any other failure counts toward opening it.
   */
  async record(
    runbook: string,
    owner: string,
    succeeded: boolean,
    limits: BreakerLimits,
  ): Promise<BreakerState> {
    const now = this.now();
    const current = await this.state(runbook);
    const isTrial = current.state === 'half-open' && current.trialOwner === owner;
    if (succeeded) {
      if (isTrial) {
        await this.conditional(
          new DeleteCommand({
            TableName: this.store.table,
            Key: stateKey(runbook),
            ConditionExpression: 'trialOwner = :owner',
            ExpressionAttributeValues: { ':owner': owner },
          }),
        );
        await clearSlots(this.store, failuresKey(runbook));
      }
      return this.state(runbook);
    }
    if (isTrial) {
      await this.conditional(
        this.openCommand(runbook, now, limits, 'trialOwner = :owner', { ':owner': owner }),
      );
      return this.state(runbook);
    }
    const counted =
      limits.failures > 1
        ? await takeSlot(this.store, failuresKey(runbook), {
            max: limits.failures - 1,
            holdMs: limits.windowMs,
            // Each failure is its own: a retried record of the same one is the same slot.
            owner: `${owner}#failure`,
          })
        : { taken: false as const };
    // Opening only a closed breaker: one that is already open keeps its time, a trial its chance.
    if (!counted.taken)
      await this.conditional(this.openCommand(runbook, now, limits, 'attribute_not_exists(pk)', {}));
    return this.state(runbook);
  }

  private openCommand(
    runbook: string,
    now: number,
    limits: BreakerLimits,
    condition: string,
    values: Record<string, unknown>,
  ): PutCommand {
    const openUntil = now + limits.halfOpenAfterMs;
    return new PutCommand({
      TableName: this.store.table,
      Item: {
        ...stateKey(runbook),
        state: 'open',
        openedAt: now,
        openUntil,
        expiresAt: ttl(openUntil + limits.halfOpenAfterMs + limits.windowMs),
      },
      ConditionExpression: condition,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    });
  }

  /** A write whose condition failing means another execution got there first: nothing to do. */
  private async conditional(command: PutCommand | DeleteCommand): Promise<void> {
    try {
      await awsCall('update circuit breaker', () => this.store.db.send(command as PutCommand));
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  private now(): number {
    return this.store.now().getTime();
  }
}

function stateKey(runbook: string) {
  return { pk: `BREAKER#${runbook}`, sk: 'STATE' };
}

function failuresKey(runbook: string): string {
  return `FAILURES#${runbook}`;
}

/**
 * Long after the state stops mattering: TTL must never delete an open breaker early (that would
 * close it without a trial). Epoch seconds, as DynamoDB's TTL reads them.
 */
function ttl(ms: number): number {
  return Math.ceil(ms / 1000) + 7 * 24 * 3600;
}

function refusal(runbook: string, s: BreakerState): string {
  if (s.state === 'open')
    return `the circuit breaker of ${runbook} is open until ${new Date(s.openUntil).toISOString()}`;
  if (s.state === 'half-open')
    return `the circuit breaker of ${runbook} is half-open: ${s.trialOwner} is the trial remediation`;
  return `the circuit breaker of ${runbook} is closed`;
}
