import { InvalidArgumentError } from 'commander';
import { inRange, type NumberRange, rangeText } from '../src/input/bounds.ts';

// commander's message already quotes the flag's value ("argument 'x' is invalid."): these say
// only what the value must be, with the same range words the files' checks use.

/** commander argument parsers that reject bad flags with a message naming what is wrong. */
export function integerIn(min: number, max: number): (value: string) => number {
  return numberArgument({ min, max, integer: true });
}

/** A number flag in a range; decimal notation only (`1e3`, `0x10` and `Infinity` are not numbers a person types). */
export function numberArgument(r: NumberRange): (value: string) => number {
  return (value) => {
    const n = /^-?(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : Number.NaN;
    if (!inRange(n, r)) throw new InvalidArgumentError(`It must be ${rangeText(r)}.`);
    return n;
  };
}

/** `--speed`: from a tenth of real time (slow motion) to an hour a second (a game day in a minute). */
export const speedArgument = numberArgument({ min: 0.1, max: 3600 });
