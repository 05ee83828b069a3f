import { AwsError } from '../../protocol/types.ts';
import { compilePattern, type EventPattern, InvalidEventPatternError } from './pattern.ts';
import { checkTargetInput, type TargetInputSpec } from './target-input.ts';

export interface RuleTarget extends TargetInputSpec {
  Id: string;
  Arn: string;
  RoleArn?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface Rule {
  name: string;
  arn: string;
  pattern: EventPattern;
  enabled: boolean;
  description: string | undefined;
  /** Target id → target, in the order they were put. */
  targets: Map<string, RuleTarget>;
}

export interface SavedRule {
  name: string;
  eventPattern: string;
  enabled: boolean;
  description?: string;
  targets: RuleTarget[];
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS_PER_RULE = 5;
const SQS_ARN = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
/** Where the sandbox can deliver: Lambda functions and Step Functions state machines. */
export const DELIVERABLE_ARN =
  /^arn:aws[\w-]*:(lambda:[a-z0-9-]+:\d{12}:function:|states:[a-z0-9-]+:\d{12}:stateMachine:)/;

/** The rules of the default event bus, checked as EventBridge checks them. */
export class RuleStore {
  private readonly rules = new Map<string, Rule>();
  private readonly arnPrefix: string;

  constructor(opts: { region: string; accountId: string }) {
    this.arnPrefix = `arn:aws:events:${opts.region}:${opts.accountId}:rule/`;
  }

  /** Rules in the order they were created (the order events are matched in). */
  all(): Rule[] {
    return [...this.rules.values()];
  }

  get(name: unknown): Rule {
    const rule = typeof name === 'string' ? this.rules.get(name) : undefined;
    if (!rule) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Rule ${String(name)} does not exist on EventBus default.`,
      );
    }
    return rule;
  }

  put(input: {
    Name?: string;
    EventPattern?: string;
    ScheduleExpression?: string;
    State?: string;
    Description?: string;
  }): Rule {
    const name = checkName(input.Name, 'name');
    if (input.ScheduleExpression !== undefined) {
      throw new AwsError(
        'ValidationException',
        'ScheduleExpression rules are not emulated by the sandbox (state machines’ schedule events are armed at deploy)',
      );
    }
    if (input.EventPattern === undefined) {
      throw new AwsError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    if (
      input.State !== undefined &&
      !['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(input.State)
    ) {
      throw new AwsError('ValidationException', `State '${input.State}' must be ENABLED or DISABLED`);
    }
    let pattern: EventPattern;
    try {
      pattern = compilePattern(input.EventPattern);
    } catch (e) {
      if (e instanceof InvalidEventPatternError)
        throw new AwsError('InvalidEventPatternException', e.message);
      throw e;
    }
    const existing = this.rules.get(name);
    const rule: Rule = {
      name,
      arn: `${this.arnPrefix}${name}`,
      pattern,
      enabled: input.State !== 'DISABLED',
      description: input.Description,
      targets: existing?.targets ?? new Map(),
    };
    this.rules.set(name, rule);
    return rule;
  }

  delete(name: unknown): void {
    const rule = typeof name === 'string' ? this.rules.get(name) : undefined;
    if (!rule) return;
    if (rule.targets.size > 0)
      throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.");
    this.rules.delete(rule.name);
  }

  /** Puts targets; entries EventBridge would refuse one by one come back as failed entries. */
  putTargets(
    ruleName: unknown,
    targets: unknown,
  ): { TargetId: string; ErrorCode: string; ErrorMessage: string }[] {
    const rule = this.get(ruleName);
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10) {
      throw new AwsError('ValidationException', 'Targets must hold between 1 and 10 targets');
    }
    const ids = new Set([...rule.targets.keys(), ...targets.map((t: RuleTarget) => t?.Id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) {
      throw new AwsError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
      );
    }
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const t of targets as RuleTarget[]) {
      checkName(t?.Id, 'targets.id');
      try {
        checkTarget(t);
        rule.targets.set(t.Id, structuredClone(t));
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        failed.push({ TargetId: t.Id, ErrorCode: e.code, ErrorMessage: e.message });
      }
    }
    return failed;
  }

  save(): SavedRule[] {
    return this.all().map((r) => ({
      name: r.name,
      eventPattern: r.pattern.source,
      enabled: r.enabled,
      description: r.description,
      targets: [...r.targets.values()],
    }));
  }

  restore(saved: SavedRule[]): void {
    this.rules.clear();
    for (const s of saved) {
      const rule = this.put({
        Name: s.name,
        EventPattern: s.eventPattern,
        State: s.enabled ? 'ENABLED' : 'DISABLED',
        Description: s.description,
      });
      for (const t of s.targets) rule.targets.set(t.Id, t);
    }
  }
}

function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${String(name)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64`,
    );
  }
  return name;
}

function checkTarget(t: RuleTarget): void {
  if (typeof t.Arn !== 'string' || !DELIVERABLE_ARN.test(t.Arn)) {
    throw new AwsError(
      'ValidationException',
      `Target ${t.Id}: the sandbox delivers to Lambda functions and Step Functions state machines only, not '${String(t.Arn)}'`,
    );
  }
  checkTargetInput(t, t.Id);
  const retry = t.RetryPolicy;
  if (retry?.MaximumRetryAttempts !== undefined && !inRange(retry.MaximumRetryAttempts, 0, 185)) {
    throw new AwsError(
      'ValidationException',
      `Target ${t.Id}: RetryPolicy.MaximumRetryAttempts must be between 0 and 185`,
    );
  }
  if (retry?.MaximumEventAgeInSeconds !== undefined && !inRange(retry.MaximumEventAgeInSeconds, 60, 86_400)) {
    throw new AwsError(
      'ValidationException',
      `Target ${t.Id}: RetryPolicy.MaximumEventAgeInSeconds must be between 60 and 86400`,
    );
  }
  const dlq = t.DeadLetterConfig?.Arn;
  if (t.DeadLetterConfig && (typeof dlq !== 'string' || !SQS_ARN.test(dlq))) {
    throw new AwsError(
      'ValidationException',
      `Target ${t.Id}: DeadLetterConfig.Arn must be the ARN of an SQS queue`,
    );
  }
}

function inRange(n: unknown, min: number, max: number): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}
