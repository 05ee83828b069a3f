import { clearTimeout as clearRealTimeout, setTimeout as setRealTimeout } from 'node:timers';
import type { VirtualClock } from '../clock.ts';

/**
 * Settles with `work`, or rejects with `onTimeout()` once the work has taken `limitMs`, whichever
 * comes first. AWS measures a Lambda's timeout and a Task's TimeoutSeconds in its own time, which
 * the sandbox models with two clocks: the virtual time the work spent waiting on the sandbox's
 * clock (an SDK back-off), and the real time it took (its compute, which virtual time does not
 * bill). Whichever reaches the limit first ends it: a handler that computes for a real minute
 * times out at any speed, and one that backs off for a virtual minute times out in fast mode too.
 */
export function withTimeout<T>(
  work: Promise<T>,
  limitMs: number,
  clock: VirtualClock,
  onTimeout: () => Error,
): Promise<T> {
  if (!Number.isFinite(limitMs)) return work;
  let fire: () => void = () => {};
  const timedOut = new Promise<never>((_, reject) => {
    fire = () => reject(onTimeout());
  });
  const virtual = clock.after(limitMs, () => fire());
  const real = setRealTimeout(() => fire(), limitMs);
  return Promise.race([work, timedOut]).finally(() => {
    clock.cancel(virtual);
    clearRealTimeout(real);
  });
}
