import { parseIsoDuration } from '../time/duration.ts';
import * as z from '../zod.ts';
import { type NumberRange, numberProblem } from './number-range.ts';
import { quote } from './quote.ts';

export { inRange, type NumberRange, numberProblem, rangeText } from './number-range.ts';

/**
 * The ranges every number and duration a person writes is checked against: in experiment files,
 * side files and runbooks (zod/mini schemas), world files (classic zod) and flags. A limit that
 * takes a negative, zero or absurd value is a limit switched off (a rate-limit window of PT-10M let
 * 50 automations through where PT1H allows 4), so each value has a sign and a range, and a value
 * outside it is refused with the field's range in the message.
 */

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
