import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunbookLimits } from '../runbooks/schema.ts';
import { parseIsoDuration } from '../time/duration.ts';
import { type BreakerLimits, CircuitBreaker } from './breaker.ts';
import { holdersOf, releaseOwnedSlots, releaseSlot, type SlotStore, takeSlot } from './slots.ts';

/** The keys of what one action uses up (see the table layout below). */
const actionKeys = {
  cooldown: (runbook: string, resource: string) => `COOLDOWN#${runbook}#${resource}`,
  perResource: (runbook: string, resource: string) => `RESOURCE#${runbook}#${resource}`,
  perRunbook: (runbook: string) => `RUNBOOK#${runbook}`,
};

/**
 * The remediation table (serverless.yml `RemediationTable`: `pk`/`sk` strings, TTL on `expiresAt`)
 * holds everything that keeps remediation from acting twice or running away:
 * - `CLAIM#<key>`: an event's claim (src/runbooks/event.ts dedupeKeys), one slot;
 * - `COOLDOWN#<runbook>#<resource>`: one slot held for the cooldown;
 * - `RESOURCE#<runbook>#<resource>` and `RUNBOOK#<runbook>`: `max` slots held for the window;
 * - `BREAKER#<runbook>` and `FAILURES#<runbook>`: the circuit breaker (breaker.ts).
 */
export interface GuardLimits {
  cooldownMs: number;
  perResource: { max: number; windowMs: number };
  perRunbook: { max: number; windowMs: number };
  breaker: BreakerLimits;
}

/** A runbook's limits in milliseconds (the schema has checked every duration). */
export function guardLimits(limits: RunbookLimits): GuardLimits {
  const ms = (text: string) => parseIsoDuration(text)!;
  return {
    cooldownMs: ms(limits.cooldown),
    perResource: { max: limits.perResource.max, windowMs: ms(limits.perResource.window) },
    perRunbook: { max: limits.perRunbook.max, windowMs: ms(limits.perRunbook.window) },
    breaker: {
      failures: limits.breaker.failures,
      windowMs: ms(limits.breaker.window),
      halfOpenAfterMs: ms(limits.breaker.halfOpenAfter),
    },
  };
}

export type Claim = { claimed: true } | { claimed: false; key: string; heldBy: string };

export type Permit =
  | { allowed: true }
  | { allowed: false; limit: 'cooldown' | 'per-resource' | 'per-runbook'; reason: string };

/** How long a claimed event stays claimed: longer than EventBridge keeps redelivering (24 h). */
export const CLAIM_HOLD_MS = 48 * 3600 * 1000;

export class RemediationGuard {
  readonly breaker: CircuitBreaker;
  private readonly store: SlotStore;

  constructor(db: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.store = { db, table, now };
    this.breaker = new CircuitBreaker(this.store);
  }

  /**
   * Claims an event for `owner` (the remediation's execution) under each of its keys in turn. The
   * first key someone else holds makes it a duplicate. The same owner claiming again (a retried
   * step) keeps its claim.
   */
  async claimEvent(keys: readonly string[], owner: string): Promise<Claim> {
    for (const key of keys) {
      const got = await takeSlot(this.store, `CLAIM#${key}`, { max: 1, holdMs: CLAIM_HOLD_MS, owner });
      if (!got.taken) {
        const [holder] = await holdersOf(this.store, `CLAIM#${key}`);
        return { claimed: false, key, heldBy: holder ?? 'another delivery' };
      }
    }
    return { claimed: true };
  }

  /**
   * Takes what one action on `resource` uses up: the cooldown, then a slot of the per-resource
   * window, then one of the runbook's. Refused at any step, what it took before is given back;
   * until then the limits count one action too many, never one too few.
   */
  async acquireAction(
    runbook: string,
    resource: string,
    owner: string,
    limits: GuardLimits,
  ): Promise<Permit> {
    const steps = [
      {
        limit: 'cooldown' as const,
        key: actionKeys.cooldown(runbook, resource),
        max: 1,
        holdMs: limits.cooldownMs,
        reason: `${resource} was acted on by ${runbook} less than ${limits.cooldownMs / 1000} s ago (cooldown)`,
      },
      {
        limit: 'per-resource' as const,
        key: actionKeys.perResource(runbook, resource),
        max: limits.perResource.max,
        holdMs: limits.perResource.windowMs,
        reason: `${runbook} has acted on ${resource} ${limits.perResource.max} times within ${limits.perResource.windowMs / 1000} s`,
      },
      {
        limit: 'per-runbook' as const,
        key: actionKeys.perRunbook(runbook),
        max: limits.perRunbook.max,
        holdMs: limits.perRunbook.windowMs,
        reason: `${runbook} has acted ${limits.perRunbook.max} times within ${limits.perRunbook.windowMs / 1000} s`,
      },
    ];
    const taken: { key: string; slot: number }[] = [];
    for (const step of steps) {
      const got = await takeSlot(this.store, step.key, { max: step.max, holdMs: step.holdMs, owner });
      if (!got.taken) {
        for (const t of taken.reverse()) await releaseSlot(this.store, t.key, t.slot, owner);
        return { allowed: false, limit: step.limit, reason: step.reason };
      }
      taken.push({ key: step.key, slot: got.slot });
    }
    return { allowed: true };
  }

  /**
   * Gives back the window slots of an action that never ran (its approval was refused or timed
   * out): the rate limits count actions, and a "no" must not block a later, real need for hours.
   * The cooldown stays taken, so the same thing is not asked for again at once.
   */
  async releaseUnusedAction(runbook: string, resource: string, owner: string): Promise<void> {
    await releaseOwnedSlots(this.store, actionKeys.perResource(runbook, resource), owner);
    await releaseOwnedSlots(this.store, actionKeys.perRunbook(runbook), owner);
  }
}
