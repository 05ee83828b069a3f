import type { VirtualClock } from '../../clock.ts';
import type { AwsEvent } from '../../events.ts';
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

  private readonly deps: { clock: VirtualClock; rules: () => Rule[]; send: Sender };

  constructor(deps: { clock: VirtualClock; rules: () => Rule[]; send: Sender }) {
    this.deps = deps;
  }

  /** Which rules the event matches now; their targets are called on the next microtask. */
  dispatch(event: AwsEvent): void {
    const ingestedAt = this.deps.clock.now();
    for (const rule of this.deps.rules()) {
      if (!rule.enabled || !rule.pattern.matches(event)) continue;
      const ruleRef = { name: rule.name, arn: rule.arn };
      for (const target of rule.targets.values()) {
        const t = structuredClone(target);
        this.pending++;
        queueMicrotask(() => void this.attempt(event, ruleRef, t, 0, ingestedAt));
      }
    }
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
      this.pending--;
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
        clock.after(delay, () => void this.attempt(event, rule, target, n + 1, ingestedAt));
        return;
      }
    }
    this.pending--;
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
