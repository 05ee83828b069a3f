import { quote } from './quote.ts';

// What a range of numbers is and how a message words it, with nothing else loaded: the CLI's flag
// parsers use it before any schema is (see bounds.ts for the schema checks built on it).

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
