import type { VirtualClock } from '../../clock.ts';
import type { AwsEvent } from '../../events.ts';
import type { EventJournal, PendingEvent } from './journal.ts';
import type { Rule, RuleTarget } from './rules.ts';
import { targetInput } from './target-input.ts';

/** How one call to a target went; EventBridge retries only throttling and server errors. */
export type SendResult =
  | { ok: true }
  | { ok: false; retriable: boolean; errorCode: string; errorMessage: string };

export type Sender = (targetArn: string, input: string) => Promise<SendResult>;

export interface DeliveryAttempt {
  eventId: string;
  ruleName: string;
  targetId: string;
  targetArn: string;
  /** 0 for the first try, then the retry number. */
  attempt: number;
  at: number;
  errorCode: string | undefined;
}

/**
 * An event that could not be delivered, as EventBridge sends it to the target's dead-letter
 * queue: the event as the body, why in the attributes. SQS is not emulated, so the sandbox keeps
 * these in memory; `queueArn` is undefined when the target had no dead-letter queue (the event
 * was dropped).
 */
export interface DeadLetter {
  queueArn: string | undefined;
  ruleName: string;
  targetId: string;
  at: number;
  body: string;
  attributes: {
    RULE_ARN: string;
    TARGET_ARN: string;
    ERROR_CODE: string;
    ERROR_MESSAGE: string;
    /** Set when retries ran out; absent for an error EventBridge does not retry. */
    EXHAUSTED_RETRY_CONDITION?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
    RETRY_ATTEMPTS: number;
  };
}

const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Back-off before retry `n` (1, 2, …): doubling from one second, at most five minutes; no jitter, so runs replay. */
export function retryDelayMs(n: number): number {
  return Math.min(1000 * 2 ** Math.min(n - 1, 30), MAX_BACKOFF_MS);
}

/**
 * Matches events against the enabled rules and delivers them to the rules' targets,
 * asynchronously and at least once: each target is called once per matching event, and again
 * on its RetryPolicy (on the virtual clock) while it fails with a retriable error.
 */
export class Delivery {
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly letters: DeadLetter[] = [];
  private pending = 0;
  /** Journal number of an event → its targets not yet done with it, and whether one has it. */
  private readonly unfinished = new Map<number, { left: number; delivered: boolean }>();

  private readonly deps: { clock: VirtualClock; rules: () => Rule[]; send: Sender; journal?: EventJournal };

  /** With a journal, every event that matches a rule is recorded in it before its targets are called. */
  constructor(deps: { clock: VirtualClock; rules: () => Rule[]; send: Sender; journal?: EventJournal }) {
    this.deps = deps;
  }

  /** Which rules the event matches now; their targets are called on the next microtask. */
  dispatch(event: AwsEvent): void {
    this.dispatchAll([event]);
  }

  /**
   * Dispatches events accepted together (one PutEvents call): those that match a rule are journaled
   * in one synced write before this returns, so an acknowledged event outlives a crash.
   */
  dispatchAll(events: readonly AwsEvent[]): void {
    const routed = events
      .map((event) => ({ event, targets: this.targetsOf(event) }))
      .filter((r) => r.targets.length > 0);
    if (routed.length === 0) return;
    const numbers = this.deps.journal?.accept(routed.map((r) => r.event));
    routed.forEach((r, i) => {
      this.deliver(r.event, r.targets, numbers?.[i]);
    });
  }

  /** Delivers again what an earlier run accepted and had not delivered (its journal's pending events). */
  replay(pending: readonly PendingEvent[]): void {
    for (const { n, event } of pending) {
      const targets = this.targetsOf(event);
      if (targets.length === 0) this.deps.journal?.done(n);
      else this.deliver(event, targets, n);
    }
  }

  private targetsOf(event: AwsEvent): { rule: { name: string; arn: string }; target: RuleTarget }[] {
    const out: { rule: { name: string; arn: string }; target: RuleTarget }[] = [];
    for (const rule of this.deps.rules()) {
      if (!rule.enabled || !rule.pattern.matches(event)) continue;
      const ruleRef = { name: rule.name, arn: rule.arn };
      for (const target of rule.targets.values())
        out.push({ rule: ruleRef, target: structuredClone(target) });
    }
    return out;
  }

  private deliver(
    event: AwsEvent,
    targets: { rule: { name: string; arn: string }; target: RuleTarget }[],
    n: number | undefined,
  ): void {
    const ingestedAt = this.deps.clock.now();
    if (n !== undefined) this.unfinished.set(n, { left: targets.length, delivered: false });
    for (const { rule, target } of targets) {
      this.pending++;
      queueMicrotask(() => void this.attempt(event, rule, target, 0, ingestedAt, n));
    }
  }

  /** One target is done with journaled event `n`: it has it, or gave up on it. */
  private finished(n: number | undefined, delivered: boolean): void {
    this.pending--;
    if (n === undefined) return;
    const entry = this.unfinished.get(n) ?? { left: 1, delivered: false };
    entry.left -= 1;
    entry.delivered ||= delivered;
    if (entry.left > 0) {
      this.unfinished.set(n, entry);
      return;
    }
    this.unfinished.delete(n);
    if (entry.delivered) this.deps.journal?.delivered(n);
    else this.deps.journal?.done(n);
  }

  /** Deliveries not yet finished (first tries or retries waiting on the clock). */
  get inFlight(): number {
    return this.pending;
  }

  history(): readonly DeliveryAttempt[] {
    return this.attempts;
  }

  deadLetters(filter: { queueArn?: string; ruleName?: string; targetId?: string } = {}): DeadLetter[] {
    return this.letters.filter(
      (l) =>
        (filter.queueArn === undefined || l.queueArn === filter.queueArn) &&
        (filter.ruleName === undefined || l.ruleName === filter.ruleName) &&
        (filter.targetId === undefined || l.targetId === filter.targetId),
    );
  }

  private async attempt(
    event: AwsEvent,
    rule: { name: string; arn: string },
    target: RuleTarget,
    n: number,
    ingestedAt: number,
    journaled: number | undefined,
  ): Promise<void> {
    const { clock } = this.deps;
    let result: SendResult;
    try {
      result = await this.deps.send(
        target.Arn,
        targetInput(target, event as unknown as Record<string, unknown>, rule),
      );
    } catch (e) {
      result = {
        ok: false,
        retriable: true,
        errorCode: 'INTERNAL_ERROR',
        errorMessage: (e as Error).message,
      };
    }
    this.attempts.push({
      eventId: event.id,
      ruleName: rule.name,
      targetId: target.Id,
      targetArn: target.Arn,
      attempt: n,
      at: clock.now(),
      errorCode: result.ok ? undefined : result.errorCode,
    });
    if (result.ok) {
      this.finished(journaled, true);
      return;
    }
    let exhausted: DeadLetter['attributes']['EXHAUSTED_RETRY_CONDITION'];
    if (result.retriable) {
      const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
      const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
      const delay = retryDelayMs(n + 1);
      if (n >= maxRetries) exhausted = 'MaximumRetryAttempts';
      else if (clock.now() + delay - ingestedAt > maxAgeMs) exhausted = 'MaximumEventAgeInSeconds';
      else {
        clock.after(delay, () => void this.attempt(event, rule, target, n + 1, ingestedAt, journaled));
        return;
      }
    }
    this.finished(journaled, false);
    this.letters.push({
      queueArn: target.DeadLetterConfig?.Arn,
      ruleName: rule.name,
      targetId: target.Id,
      at: clock.now(),
      body: JSON.stringify(event),
      attributes: {
        RULE_ARN: rule.arn,
        TARGET_ARN: target.Arn,
        ERROR_CODE: result.errorCode,
        ERROR_MESSAGE: result.errorMessage,
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
        RETRY_ATTEMPTS: n,
      },
    });
  }
}
