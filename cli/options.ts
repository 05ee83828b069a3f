import { InvalidArgumentError } from 'commander';

/** commander argument parsers that reject bad flags with a message naming what is wrong. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${n} is not between ${min} and ${max}.`);
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`'${value}' is not a positive number.`);
  }
  return n;
}

const START_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const EARLIEST_START = Date.UTC(2000, 0, 1);
const LATEST_START = Date.UTC(2100, 0, 1);

/** `--start`: a date and time with its zone (ISO 8601), e.g. 2026-01-05T09:00:00Z. */
export function startTime(value: string): number {
  const t = START_FORMAT.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) {
    throw new InvalidArgumentError(
      `'${value.slice(0, 40)}' is not a date and time with its zone, such as 2026-01-05T09:00:00Z.`,
    );
  }
  if (t < EARLIEST_START || t >= LATEST_START) {
    throw new InvalidArgumentError(`${value} is not between 2000 and 2099.`);
  }
  return t;
}
