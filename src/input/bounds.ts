import { parseIsoDuration } from '../time/duration.ts';
import * as z from '../zod.ts';
import { quote } from './quote.ts';

/**
 * The ranges every number and duration a person writes is checked against: in experiment files,
 * side files and runbooks (zod/mini schemas), world files (classic zod) and flags. A limit that
 * takes a negative, zero or absurd value is a limit switched off (a rate-limit window of PT-10M let
 * 50 automations through where PT1H allows 4), so each value has a sign and a range, and a value
 * outside it is refused with the field's range in the message.
 */

/** Numbers from `min` to `max`; `above`/`below` make an end exclusive. */
export interface NumberRange {
  min: number;
  max: number;
  /** Only whole numbers. */
  integer?: boolean;
  /** Strictly more than `min` (a percentage of 0 is no guardrail). */
  above?: boolean;
  /** Strictly less than `max` (an SLO of 100 % leaves no error budget). */
  below?: boolean;
  /** Named in the message: `a percentage from 0 to 100`. */
  noun?: string;
}

export function inRange(n: number, r: NumberRange): boolean {
  return (
    Number.isFinite(n) &&
    (!r.integer || Number.isInteger(n)) &&
    (r.above ? n > r.min : n >= r.min) &&
    (r.below ? n < r.max : n <= r.max)
  );
}

/** Why `n` is outside the range, worded for the file's author; undefined when it is inside. */
export function numberProblem(n: number, r: NumberRange): string | undefined {
  return inRange(n, r) ? undefined : `must be ${rangeText(r)} (got ${quoteNumber(n)})`;
}

/** `a whole number from 1 to 1000`, `a percentage more than 0 and at most 100`. */
export function rangeText(r: NumberRange): string {
  const noun = r.noun ?? (r.integer ? 'a whole number' : 'a number');
  if (!r.above && !r.below) return `${noun} from ${r.min} to ${r.max}`;
  return `${noun} ${r.above ? 'more than' : 'at least'} ${r.min} and ${r.below ? 'less than' : 'at most'} ${r.max}`;
}

function quoteNumber(n: number): string {
  const text = String(n);
  return text.length > 24 ? quote(text, 24) : text;
}

/** Durations from `min` to `max`, written as the ISO-8601 text the message shows, e.g. PT1M and P1D. */
export interface DurationRange {
  min: string;
  max: string;
}

/** Why the text is not a duration in the range; undefined when it is one. */
export function durationProblem(text: string, r: DurationRange): string | undefined {
  const ms = parseIsoDuration(text);
  if (ms !== undefined && ms >= boundMs(r.min) && ms <= boundMs(r.max)) return undefined;
  return `must be an ISO-8601 duration from ${r.min} to ${r.max}${ms === undefined && !/^[-+]?P/i.test(text) ? ', such as PT10M' : ''} (got ${quote(text)})`;
}

function boundMs(text: string): number {
  const ms = parseIsoDuration(text);
  if (ms === undefined) throw new Error(`not a duration bound: ${text}`);
  return ms;
}

/**
 * A check both kinds of zod schema take (`.check(…)` on a classic or a mini schema): the value is
 * refused with `problem`'s words when it returns any.
 */
export function checkedBy<T>(problem: (value: T) => string | undefined): z.core.$ZodCheck<T> {
  return z.superRefine((value: T, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: why, input: value });
  });
}

/** A check of a number against a range (zod, either kind). */
export const numberIn = (r: NumberRange) => checkedBy((n: number) => numberProblem(n, r));

/** A whole number from `min` to `max`: counts, limits, ports. */
export const countIn = (min: number, max: number) => numberIn({ min, max, integer: true });

/** A percentage: more than 0 by default (a guardrail of 0 % is none), at most 100. */
export const percentIn = (r: Partial<NumberRange> = {}) =>
  numberIn({ min: 0, max: 100, above: true, noun: 'a percentage', ...r });

/** An ISO-8601 duration kept as written (FIS takes the text), from `min` to `max`. */
export function isoDuration(min: string, max: string) {
  const range = { min, max };
  boundMs(min);
  boundMs(max);
  return z.string().check(checkedBy((text: string) => durationProblem(text, range)));
}
