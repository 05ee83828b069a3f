import { join } from 'node:path';
import type { LambdaRegistry } from '../backends/lambda.ts';
import type { SandboxCore } from '../context.ts';
import { cursorPage } from '../protocol/cursor-page.ts';
import { jsonProtocol } from '../protocol/json.ts';
import { AwsError } from '../protocol/types.ts';
import { type DeadLetter, Delivery, type DeliveryAttempt } from './events/delivery.ts';
import { EventJournal, type PendingEvent } from './events/journal.ts';
import { compilePattern, InvalidEventPatternError } from './events/pattern.ts';
import { eventsFromEntries } from './events/put-events.ts';
import { type Rule, RuleStore, type SavedRule } from './events/rules.ts';
import { type AsyncInvocationFailure, createTargetSender } from './events/targets.ts';
import type { SandboxService } from './service.ts';

/** What the events service keeps in the state file. */
interface SavedEvents {
  rules: SavedRule[];
  idsIssued: number;
}

/** The delivery journal in the state folder (see events/journal.ts). */
const JOURNAL_FILE = 'events-journal.jsonl';

/** The EventBridge service plus what in-process code (tests, the game-day runner) may look at. */
export interface EventsService extends SandboxService {
  /** Every call made to a target, retries included, oldest first. */
  deliveries(): readonly DeliveryAttempt[];
  /** Events that could not be delivered (SQS is not emulated: dead-letter queues live here). */
  deadLetters(filter?: { queueArn?: string; ruleName?: string; targetId?: string }): DeadLetter[];
  /** Lambda targets whose function failed on every asynchronous try. */
  lambdaFailures(): readonly AsyncInvocationFailure[];
  /** Makes the next `calls` calls to a target fail with throttling, as during an outage of the target. */
  throttleTarget(targetArn: string, calls: number): void;
  /** Deliveries and asynchronous Lambda invocations not finished yet. */
  readonly inFlight: number;
}

/** The fields every event has, which TestEventPattern wants in the event it is given. */
const EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

/**
 * Amazon EventBridge (awsJson1_1, `AWSEvents.*`), the default bus only: PutEvents, the rule and
 * target operations, the bus itself (ListEventBuses, DescribeEventBus) and TestEventPattern. Every
 * event the sandbox's services publish and every PutEvents entry is matched against the enabled
 * rules and delivered to their targets.
 */
export function createEventsService(
  core: SandboxCore,
  deps: { lambdas: LambdaRegistry; service: (signingName: string) => SandboxService | undefined },
): EventsService {
  const { region, accountId } = core.world;
  const rules = new RuleStore({ region, accountId });
  const targets = createTargetSender({
    clock: core.clock,
    lambdas: deps.lambdas,
    states: () => deps.service('states')?.handler,
    region,
  });
  // Kept with the state: what was accepted and not yet delivered is delivered after a restart.
  const journal = core.stateDir ? new EventJournal(join(core.stateDir, JOURNAL_FILE)) : undefined;
  let unfinished: PendingEvent[] = [];
  const delivery = new Delivery({ clock: core.clock, rules: () => rules.all(), send: targets.send, journal });
  const ids = core.rng.stream('events.ids');
  // Ids drawn so far: a restart draws as many again before the next, so that no id repeats one an
  // earlier run gave (remediation claims events by id: a repeat would pass for a duplicate).
  let issued = 0;
  const newId = () => {
    issued += 1;
    const hex = (n: number) =>
      ids
        .int(0, 16 ** n - 1)
        .toString(16)
        .padStart(n, '0');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + ids.int(0, 3)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}`;
  };
  let subscribed = false;

  const describe = (r: Rule) => ({
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.pattern.source,
    State: r.enabled ? 'ENABLED' : 'DISABLED',
    Description: r.description,
    EventBusName: 'default',
  });
  const checkBus = (bus: unknown) => {
    if (bus !== undefined && bus !== 'default' && !/:event-bus\/default$/.test(String(bus))) {
      throw new AwsError('ResourceNotFoundException', `Event bus ${String(bus)} does not exist.`);
    }
  };
  // Every account has the default bus; in the sandbox it is as old as the sandbox's clock at start.
  const busCreated = new Date(Math.floor(core.clock.now() / 1000) * 1000);
  const defaultBus = {
    Name: 'default',
    Arn: `arn:aws:events:${region}:${accountId}:event-bus/default`,
    CreationTime: busCreated,
    LastModifiedTime: busCreated,
  };
  const invalidToken = () => new AwsError('ValidationException', 'The nextToken provided is invalid');
  const limit = (n: unknown) => {
    if (n === undefined) return undefined;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100) {
      throw new AwsError('ValidationException', 'Limit must be between 1 and 100');
    }
    return n;
  };

  const handler = jsonProtocol({
    targetPrefix: 'AWSEvents',
    version: '1.1',
    operations: {
      PutEvents: (input: { Entries?: unknown }) => {
        const out = eventsFromEntries(input.Entries, {
          account: accountId,
          region,
          now: core.clock.now(),
          newId,
        });
        delivery.dispatchAll(out.flatMap((o) => (o.event ? [o.event] : [])));
        const Entries = out.map((o) => o.result);
        return { FailedEntryCount: Entries.filter((e) => 'ErrorCode' in e).length, Entries };
      },
      ListEventBuses: (input: { NamePrefix?: unknown; NextToken?: string; Limit?: number }) => {
        const prefix = input.NamePrefix;
        if (
          prefix !== undefined &&
          (typeof prefix !== 'string' || prefix.length < 1 || prefix.length > 256)
        ) {
          throw new AwsError('ValidationException', 'NamePrefix must be a string of 1 to 256 characters');
        }
        const buses = [defaultBus].filter((b) => prefix === undefined || b.Name.startsWith(prefix));
        const page = cursorPage(buses, (b) => b.Name, {
          listing: `buses:${prefix ?? ''}`,
          nextToken: input.NextToken,
          max: limit(input.Limit) ?? 100,
          invalidToken,
        });
        return { EventBuses: page.items, NextToken: page.nextToken };
      },
      DescribeEventBus: (input: { Name?: unknown }) => {
        checkBus(input.Name);
        return defaultBus;
      },
      TestEventPattern: (input: { EventPattern?: unknown; Event?: unknown }) => {
        if (typeof input.EventPattern !== 'string') {
          throw new AwsError('ValidationException', 'EventPattern is required');
        }
        if (typeof input.Event !== 'string') throw new AwsError('ValidationException', 'Event is required');
        let pattern: ReturnType<typeof compilePattern>;
        try {
          pattern = compilePattern(input.EventPattern);
        } catch (e) {
          if (e instanceof InvalidEventPatternError) throw new AwsError(e.name, e.message);
          throw e;
        }
        let event: unknown;
        try {
          event = JSON.parse(input.Event);
        } catch {
          throw new AwsError('ValidationException', 'Parameter Event is not valid: it is not JSON.');
        }
        const missing =
          typeof event === 'object' && event !== null && !Array.isArray(event)
            ? EVENT_FIELDS.filter((f) => !(f in event))
            : EVENT_FIELDS;
        if (missing.length > 0) {
          throw new AwsError(
            'ValidationException',
            `Parameter Event is not valid. Reason: Provided Event must have ${missing.join(', ')}.`,
          );
        }
        return { Result: pattern.matches(event) };
      },
      PutRule: (input: {
        Name?: string;
        EventPattern?: string;
        ScheduleExpression?: string;
        State?: string;
        Description?: string;
        EventBusName?: string;
      }) => {
        checkBus(input.EventBusName);
        return { RuleArn: rules.put(input).arn };
      },
      DescribeRule: (input: { Name?: string; EventBusName?: string }) => {
        checkBus(input.EventBusName);
        return { ...describe(rules.get(input.Name)), CreatedBy: accountId };
      },
      ListRules: (input: {
        NamePrefix?: string;
        EventBusName?: string;
        NextToken?: string;
        Limit?: number;
      }) => {
        checkBus(input.EventBusName);
        const matching = rules.all().filter((r) => !input.NamePrefix || r.name.startsWith(input.NamePrefix));
        const page = cursorPage(matching, (r) => r.name, {
          listing: `rules:${input.NamePrefix ?? ''}`,
          nextToken: input.NextToken,
          max: limit(input.Limit) ?? 100,
          invalidToken,
        });
        return { Rules: page.items.map(describe), NextToken: page.nextToken };
      },
      DeleteRule: (input: { Name?: string; EventBusName?: string }) => {
        checkBus(input.EventBusName);
        rules.delete(input.Name);
        return {};
      },
      EnableRule: (input: { Name?: string; EventBusName?: string }) => {
        checkBus(input.EventBusName);
        rules.get(input.Name).enabled = true;
        return {};
      },
      DisableRule: (input: { Name?: string; EventBusName?: string }) => {
        checkBus(input.EventBusName);
        rules.get(input.Name).enabled = false;
        return {};
      },
      PutTargets: (input: { Rule?: string; Targets?: unknown; EventBusName?: string }) => {
        checkBus(input.EventBusName);
        const FailedEntries = rules.putTargets(input.Rule, input.Targets);
        return { FailedEntryCount: FailedEntries.length, FailedEntries };
      },
      ListTargetsByRule: (input: {
        Rule?: string;
        EventBusName?: string;
        NextToken?: string;
        Limit?: number;
      }) => {
        checkBus(input.EventBusName);
        const rule = rules.get(input.Rule);
        const page = cursorPage([...rule.targets.values()], (t) => t.Id, {
          listing: `targets:${rule.name}`,
          nextToken: input.NextToken,
          max: limit(input.Limit) ?? 100,
          invalidToken,
        });
        return { Targets: page.items, NextToken: page.nextToken };
      },
      RemoveTargets: (input: { Rule?: string; Ids?: unknown; EventBusName?: string }) => {
        checkBus(input.EventBusName);
        const rule = rules.get(input.Rule);
        if (!Array.isArray(input.Ids) || input.Ids.length === 0 || input.Ids.length > 100) {
          throw new AwsError('ValidationException', 'Ids must hold between 1 and 100 target ids');
        }
        for (const id of input.Ids) rule.targets.delete(String(id));
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
    },
  });

  return {
    signingName: 'events',
    handler,
    save: (): SavedEvents => ({ rules: rules.save(), idsIssued: issued }),
    restore: (state) => {
      // Before the ids were kept, the state was the rules alone.
      const saved: SavedEvents = Array.isArray(state)
        ? { rules: state as SavedRule[], idsIssued: 0 }
        : (state as SavedEvents);
      rules.restore(saved.rules);
      while (issued < saved.idsIssued) newId();
    },
    start() {
      if (subscribed) return;
      subscribed = true;
      // Read before anything new is journaled (numbers go on from the old ones); delivered at resume.
      unfinished = journal?.load() ?? [];
      core.bus.subscribe((event) => delivery.dispatch(event));
    },
    checkpoint() {
      const delivered = journal?.checkpoint() ?? [];
      return () => {
        for (const n of delivered) journal?.done(n);
      };
    },
    resume() {
      const pending = unfinished;
      unfinished = [];
      delivery.replay(pending);
    },
    deliveries: () => delivery.history(),
    deadLetters: (filter) => delivery.deadLetters(filter),
    lambdaFailures: () => targets.asyncFailures(),
    throttleTarget: (arn, calls) => targets.throttle(arn, calls),
    get inFlight() {
      return delivery.inFlight + targets.lambdaInFlight;
    },
  };
}
