import { subscribe, unsubscribe } from 'node:diagnostics_channel';
// Node's own timers, which faking the global ones leaves alone: the driver itself must run on
// real event-loop turns.
import { setImmediate as realSetImmediate, setTimeout as realSetTimeout } from 'node:timers';
import type { VirtualClock } from './clock.ts';

/**
 * Counts HTTP requests in flight from this process's clients (AWS SDK calls from handlers and the
 * CLI), through Node's diagnostics channels, so that virtual time never jumps while an answer is
 * on its way.
 */
export class HttpActivity {
  private count = 0;
  private readonly onStart = () => {
    this.count++;
  };
  private readonly onEnd = () => {
    this.count = Math.max(0, this.count - 1);
  };

  constructor() {
    subscribe('http.client.request.created', this.onStart);
    subscribe('http.client.response.finish', this.onEnd);
    subscribe('http.client.request.error', this.onEnd);
  }

  get inFlight(): number {
    return this.count;
  }

  dispose(): void {
    unsubscribe('http.client.request.created', this.onStart);
    unsubscribe('http.client.response.finish', this.onEnd);
    unsubscribe('http.client.request.error', this.onEnd);
  }
}

/** How virtual time moves: as fast as possible, or at a number of virtual seconds per real second. */
export type Pace = 'fast' | number;

/** Longest real interval between two looks at the clock when playing at a speed. */
const STEP_MS = 20;

/**
 * Plays virtual time. Time moves only while nothing is running: no request in flight, no work
 * computing (`busy()` false on `quietTurns` consecutive event-loop turns, which lets the promise
 * chains between two requests settle first). Work in flight is never billed at the speed factor:
 * it takes no virtual time at all, so the same seed gives the same timeline at any speed and on
 * a busy machine. Work that waits on the clock itself (an SDK retry back-off) is not running, so
 * time moves on to its timer.
 *
 * - `fast`: when idle, jump straight to the next timer and fire it.
 * - a speed F: real time spent idle earns F× as much virtual time; timers fire one at a time, in
 *   order, as the time earned reaches them, and real time spent busy earns nothing.
 *
 * `pace` may be a function, read at every turn: the pace can change while it plays (a person
 * being asked something gets real time to answer in).
 *
 * Returns a function that stops the driver.
 */
export function playTime(
  clock: VirtualClock,
  busy: () => boolean,
  paceOf: Pace | (() => Pace),
  quietTurns = 3,
): () => void {
  let stopped = false;
  let quiet = 0;
  let jumping = false;
  let last = performance.now();
  // Virtual milliseconds that idle real time has earned and the clock has not spent yet.
  let credit = 0;
  const again = (delayMs = 0) => {
    if (delayMs <= 0) realSetImmediate(turn);
    else realSetTimeout(turn, delayMs);
  };
  const jump = () => {
    jumping = true;
    void clock.runNext().finally(() => {
      jumping = false;
      quiet = 0;
      last = performance.now();
      again();
    });
  };
  const turn = () => {
    if (stopped || jumping) return;
    const pace = typeof paceOf === 'function' ? paceOf() : paceOf;
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    if (busy()) {
      quiet = 0;
      again();
      return;
    }
    if (pace !== 'fast') credit += elapsed * pace;
    if (++quiet < quietTurns) {
      again();
      return;
    }
    const next = clock.nextTimerAt();
    if (pace === 'fast') {
      if (next === undefined) again(STEP_MS);
      else jump();
      return;
    }
    const due = next === undefined ? Number.POSITIVE_INFINITY : next - clock.now();
    if (due <= credit) {
      credit -= due;
      jump();
      return;
    }
    // Nothing falls due within the time earned: the clock moves on that far, and fires nothing.
    const step = Math.floor(credit);
    credit -= step;
    if (step > 0) clock.fake.tick(step);
    again(Math.min(STEP_MS, Math.max(1, (due - step) / pace)));
  };
  again();
  return () => {
    stopped = true;
  };
}
