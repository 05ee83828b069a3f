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

/** Where experiment files live, relative to where faultline runs: `az-outage` means experiments/az-outage.yaml. */
export const EXPERIMENTS_DIR = 'experiments';
