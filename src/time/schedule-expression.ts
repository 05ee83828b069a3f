import { Cron } from 'croner';
import { quote } from '../input/quote.ts';

/**
 * EventBridge schedule expressions, as a rule (or a scheduler schedule) takes them:
 * `cron(minutes hours day-of-month month day-of-week year)` and `rate(n minute|minutes|hour|hours|day|days)`.
 * Parsed once, checked by EventBridge's own rules, and asked when they fire next, so the sandbox
 * fires a schedule at the virtual time AWS would.
 */
export type Schedule = CronSchedule | RateSchedule;

export interface CronSchedule {
  kind: 'cron';
  expression: string;
  cron: Cron;
}

export interface RateSchedule {
  kind: 'rate';
  expression: string;
  everyMs: number;
}

export class ScheduleExpressionError extends Error {
  /** Why EventBridge would refuse it, without the expression (for messages that name it already). */
  readonly detail: string;

  constructor(expression: string, detail: string) {
    super(`${quote(expression)} is not an EventBridge schedule expression: ${detail}`);
    this.name = 'ScheduleExpressionError';
    this.detail = detail;
  }
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'];

/**
 * Parses a schedule expression; anything EventBridge would refuse is one ScheduleExpressionError
 * saying why. `timezone` is for EventBridge Scheduler's ScheduleExpressionTimezone: rules always
 * evaluate cron in UTC.
 */
export function parseScheduleExpression(expression: string, opts: { timezone?: string } = {}): Schedule {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return parseRate(expression, rate[1]!);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return parseCron(expression, cron[1]!, opts.timezone ?? 'UTC');
  throw new ScheduleExpressionError(expression, 'write cron(...) or rate(...)');
}

function parseRate(expression: string, body: string): RateSchedule {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) {
    throw new ScheduleExpressionError(expression, 'a rate is rate(<n> minute|minutes|hour|hours|day|days)');
  }
  const value = Number(m[1]);
  const unit = m[2]!;
  if (value < 1) throw new ScheduleExpressionError(expression, 'the rate must be a positive number');
  // EventBridge insists on the grammar: rate(1 hour) and rate(5 hours), never rate(1 hours).
  const plural = unit.endsWith('s');
  if (value === 1 && plural) {
    throw new ScheduleExpressionError(
      expression,
      `a value of 1 takes the singular: rate(1 ${unit.slice(0, -1)})`,
    );
  }
  if (value > 1 && !plural) {
    throw new ScheduleExpressionError(expression, `a value over 1 takes the plural: rate(${value} ${unit}s)`);
  }
  const base = (plural ? unit.slice(0, -1) : unit) as keyof typeof UNIT_MS;
  return { kind: 'rate', expression, everyMs: value * UNIT_MS[base] };
}

function parseCron(expression: string, body: string, timezone: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      expression,
      `cron takes six fields (${FIELD_NAMES.join(' ')}), not ${fields.length}`,
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  for (const [i, f] of fields.entries()) {
    if (f.includes('?') && i !== 2 && i !== 4) {
      throw new ScheduleExpressionError(
        expression,
        `'?' belongs in day-of-month or day-of-week, not ${FIELD_NAMES[i]}`,
      );
    }
  }
  // EventBridge takes one of the two day fields and ignores the other, which must say so with '?'.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new ScheduleExpressionError(expression, "exactly one of day-of-month and day-of-week must be '?'");
  }
  let cron: Cron;
  try {
    // croner's seven-field form puts seconds first; EventBridge's day-of-week counts 1 = SUN like
    // Quartz (alternativeWeekdays), and with one day field '?' the two combine by AND.
    cron = new Cron(
      ['0', minutes, hours, dayOfMonth, month, dayOfWeek, year].map((f) => (f === '?' ? '*' : f)).join(' '),
      {
        mode: '7-part',
        timezone,
        alternativeWeekdays: true,
        domAndDow: true,
        sloppyRanges: true,
        paused: true,
      },
    );
  } catch (e) {
    throw new ScheduleExpressionError(expression, (e as Error).message);
  }
  return { kind: 'cron', expression, cron };
}

/**
 * When the schedule fires next, strictly after `after` (epoch ms); undefined if never again (a
 * cron whose years have passed). A rate counts from `since`, when its rule was created: EventBridge
 * starts a rate then and fires every interval after it.
 */
export function nextFireTime(schedule: Schedule, after: number, since: number): number | undefined {
  if (schedule.kind === 'rate') {
    const elapsed = Math.max(0, after - since);
    return since + (Math.floor(elapsed / schedule.everyMs) + 1) * schedule.everyMs;
  }
  return schedule.cron.nextRun(new Date(after))?.getTime();
}
