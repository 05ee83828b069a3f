import { InvalidArgumentError, Option } from 'commander';
import { inRange, type NumberRange, rangeText } from '../src/input/number-range.ts';

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

const START_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const EARLIEST_START = Date.UTC(2000, 0, 1);
const LATEST_START = Date.UTC(2100, 0, 1);

/** `--start`: a date and time with its zone (ISO 8601), e.g. 2026-01-05T09:00:00Z. */
export function startTime(value: string): number {
  const t = START_FORMAT.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) {
    throw new InvalidArgumentError('It must be a date and time with its zone, such as 2026-01-05T09:00:00Z.');
  }
  if (t < EARLIEST_START || t >= LATEST_START) {
    throw new InvalidArgumentError('It must be in the years 2000 to 2099.');
  }
  return t;
}

/** Where experiment files live, relative to where faultline runs: `az-outage` means experiments/az-outage.yaml. */
export const EXPERIMENTS_DIR = 'experiments';

/** Where remediation runbooks live, relative to where faultline runs. */
export const RUNBOOKS_DIR = 'runbooks';

/** The environment variable that pins `--start` when the flag is not given (CI pipelines, tests). */
export const START_ENV = 'FAULTLINE_START';

/** `--start <time>`, which $FAULTLINE_START sets when the flag is not given. */
export function startOption(what = 'the sandbox'): Option {
  return (
    new Option(
      '--start <time>',
      `virtual time at which ${what} is handed over, with its zone (e.g. 2026-01-05T09:00:00Z), for reproducible runs (default: the real time now); a saved state resumes after its own time`,
    )
      .env(START_ENV)
      // An empty variable is an unset one, as shells mean it.
      .argParser((value) => (value === '' ? undefined : startTime(value)))
  );
}

/** A share of requests, from none to nine in ten (all of them would leave nothing to rehearse with). */
const fractionArgument = numberArgument({ min: 0, max: 0.9 });

/** The flags that inject faults into the sandbox's own API, as both commands that start one take them. */
export interface ApiFaultFlags {
  throttle: number;
  fail: number;
  slow: number;
}

function faultOption(flag: string, what: string): Option {
  return new Option(`--${flag} <share>`, `sandbox only: share of the sandbox's API calls ${what} (0 to 0.9)`)
    .argParser(fractionArgument)
    .default(0);
}

export const throttleOption = () =>
  faultOption('throttle', 'refused as throttled, as the service refuses them');
export const failOption = () => faultOption('fail', "failed with the service's 500");
export const slowOption = () => faultOption('slow', 'answered 50 to 500 ms late');
