import {
  nextFireTime,
  parseScheduleExpression,
  type Schedule,
  ScheduleExpressionError,
} from '../../src/time/schedule-expression.ts';
import type { TimerHandle, VirtualClock } from '../clock.ts';
import type { ResolvedService, ScheduleEvent } from './resolve.ts';

/** A state machine's `schedule` event, as the EventBridge rule (or scheduler schedule) AWS would create for it. */
export interface ScheduleRule {
  /** The event's `name`, else `<state machine name>-schedule-<n>`, n counting from 1 as the plugin numbers them. */
  name: string;
  arn: string;
  /** Where serverless.yml declares it, for error messages. */
  declaredAt: string;
  /** The state machine's key in serverless.yml. */
  stateMachine: string;
  schedule: Schedule;
  enabled: boolean;
  /** The execution input EventBridge sends; undefined sends the Scheduled Event itself. */
  input: string | undefined;
}

/** One time a schedule fired: the execution it asked for, and how that went. */
export interface ScheduleFiring {
  at: number;
  executionName: string;
  executionArn?: string;
  error?: string;
  /** Resolves once StartExecution has answered (never rejects: the outcome is in executionArn or error). */
  settled: Promise<void>;
}

export interface ArmedSchedule {
  rule: ScheduleRule;
  /** Virtual time of the next firing; undefined once the schedule has no more (or was cancelled). */
  nextAt: number | undefined;
  firings: ScheduleFiring[];
  cancel(): void;
}

export interface ScheduleTarget {
  clock: VirtualClock;
  /** Puts EventBridge's Scheduled Event for a firing on the event bus and returns it. */
  publish(rule: ScheduleRule): unknown;
  /** StartExecution of the rule's state machine, through the sandbox's Step Functions API; returns the execution ARN. */
  startExecution(stateMachine: string, name: string, input: string): Promise<string>;
}

/**
 * The schedule events of every state machine in a resolved serverless.yml, as rules: expressions
 * parsed (one clear error naming the event for one EventBridge would refuse) and inputs as the
 * rule would carry them.
 */
export function scheduleRules(
  service: ResolvedService,
  where: { region: string; accountId: string },
): ScheduleRule[] {
  const rules: ScheduleRule[] = [];
  for (const [key, sm] of Object.entries(service.stepFunctions?.stateMachines ?? {})) {
    let n = 0;
    for (const [i, event] of (sm.events ?? []).entries()) {
      if (!event.schedule) continue;
      n += 1;
      const declaredAt = `stepFunctions.stateMachines.${key}.events[${i}].schedule`;
      const spec: Exclude<ScheduleEvent, string> =
        typeof event.schedule === 'string' ? { rate: event.schedule } : event.schedule;
      if (spec.inputPath !== undefined || spec.inputTransformer !== undefined) {
        throw new Error(
          `${declaredAt}: inputPath and inputTransformer are not emulated by the sandbox; use input`,
        );
      }
      const name = spec.name ?? `${sm.name}-schedule-${n}`;
      let schedule: Schedule;
      try {
        // Rules evaluate cron in UTC; only EventBridge Scheduler takes a time zone.
        schedule = parseScheduleExpression(String(spec.rate), {
          timezone: spec.method === 'scheduler' ? spec.timezone : undefined,
        });
      } catch (e) {
        if (e instanceof ScheduleExpressionError) throw new Error(`${declaredAt}.rate: ${e.message}`);
        throw e;
      }
      const arn =
        spec.method === 'scheduler'
          ? `arn:aws:scheduler:${where.region}:${where.accountId}:schedule/default/${name}`
          : `arn:aws:events:${where.region}:${where.accountId}:rule/${name}`;
      rules.push({
        name,
        arn,
        declaredAt,
        stateMachine: key,
        schedule,
        enabled: spec.enabled !== false,
        input: spec.input === undefined ? undefined : compiledInput(spec.input, `${declaredAt}.input`),
      });
    }
  }
  return rules;
}

/**
 * The Input serverless-step-functions writes into the rule. It serialises an object, then escapes
 * only the double quotes while splicing the text into its JSON template, so every other backslash
 * escape in the text is read once more. The sandbox does the same so that it starts what AWS would
 * start (and refuses what the plugin cannot compile).
 */
export function compiledInput(input: unknown, declaredAt: string): string {
  const compiled = splicedText(typeof input === 'string' ? input : JSON.stringify(input), declaredAt);
  try {
    JSON.parse(compiled);
  } catch (e) {
    throw new Error(`${declaredAt}: the rule's input must be JSON (${(e as Error).message})`);
  }
  return compiled;
}

/**
 * Text as it comes out of the plugin's JSON template, which it was spliced into with only its
 * double quotes escaped (inputs and input templates alike).
 */
export function splicedText(text: string, declaredAt: string): string {
  try {
    return JSON.parse(`"${text.replace(/"/g, '\\"')}"`) as string;
  } catch (e) {
    throw new Error(
      `${declaredAt}: serverless-step-functions cannot compile this into the rule (${(e as Error).message})`,
    );
  }
}

/**
 * An execution name for a firing, unique per rule and minute (no schedule fires twice in a minute)
 * and the same every run: `<rule>-<yyyymmddThhmm>Z`, within Step Functions' 80 characters.
 */
export function firingExecutionName(ruleName: string, at: number): string {
  const stamp = `${new Date(at).toISOString().slice(0, 16).replace(/[-:]/g, '')}Z`;
  const rule = ruleName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80 - stamp.length - 1);
  return `${rule}-${stamp}`;
}

/**
 * Fires each enabled rule on the virtual clock, from `since` (when the rules were created): at
 * each fire time it publishes the Scheduled Event and starts an execution, as EventBridge does,
 * then arms the next fire time.
 */
export function armSchedules(rules: ScheduleRule[], target: ScheduleTarget, since: number): ArmedSchedule[] {
  const { clock } = target;
  return rules.map((rule) => {
    let timer: TimerHandle | undefined;
    const armed: ArmedSchedule = {
      rule,
      nextAt: undefined,
      firings: [],
      cancel: () => {
        clock.cancel(timer);
        timer = undefined;
        armed.nextAt = undefined;
      },
    };
    const arm = (after: number) => {
      armed.nextAt = rule.enabled ? nextFireTime(rule.schedule, after, since) : undefined;
      if (armed.nextAt === undefined) return;
      const at = armed.nextAt;
      timer = clock.at(at, () => {
        fire(at);
        arm(at);
      });
    };
    const fire = (at: number) => {
      const event = target.publish(rule);
      const executionName = firingExecutionName(rule.name, at);
      const firing: ScheduleFiring = { at, executionName, settled: Promise.resolve() };
      firing.settled = target
        .startExecution(rule.stateMachine, executionName, rule.input ?? JSON.stringify(event))
        .then(
          (arn) => {
            firing.executionArn = arn;
          },
          (e: unknown) => {
            firing.error = `${(e as Error).name}: ${(e as Error).message}`;
          },
        );
      armed.firings.push(firing);
    };
    arm(since);
    return armed;
  });
}
