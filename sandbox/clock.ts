import FakeTimers from '@sinonjs/fake-timers';

// The process's own timers, captured when this module loads, before any fake timers are
// installed: the drivers that move virtual time must themselves run on real time.
const REAL_TIMERS = { setInterval: globalThis.setInterval, clearInterval: globalThis.clearInterval };

/** 2026-01-05T09:00:00Z, a Monday morning: the default start of a sandbox's virtual time. */
export const DEFAULT_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);

export type TimerHandle = { readonly id: unknown };

/**
 * The sandbox's virtual clock. Everything in the simulated world (ticks, alarm evaluation, FIS
 * durations, SSM step timings, Route 53 propagation) is scheduled here, never on the process's
 * real timers, so that the same seed and the same calls give the same results whatever the
 * machine's speed.
 *
 * It is a @sinonjs/fake-timers clock. `createPrivate` makes one that touches no globals (the
 * server and the tests); `installGlobal` fakes the process's own timers and Date so that code we
 * don't own (the Step Functions interpreter's Wait states, SDK retry back-off) runs on the same
 * virtual time.
 */
export class VirtualClock {
  readonly fake: FakeTimers.Clock;
  private readonly uninstall: (() => void) | undefined;

  private constructor(fake: FakeTimers.Clock, uninstall?: () => void) {
    this.fake = fake;
    this.uninstall = uninstall;
  }

  static createPrivate(start = DEFAULT_EPOCH): VirtualClock {
    return new VirtualClock(FakeTimers.createClock(start, 100_000));
  }

  /**
   * Fakes the process's Date (and, unless `dateOnly`, its timers) with this clock. `dateOnly`
   * suits a caller that moves time itself: code it calls reads virtual time, while real timers
   * keep working.
   */
  static installGlobal(start = DEFAULT_EPOCH, opts: { dateOnly?: boolean } = {}): VirtualClock {
    const installed = FakeTimers.withGlobal(globalThis).install({
      now: start,
      toFake: opts.dateOnly
        ? ['Date']
        : ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      loopLimit: 1_000_000,
      // The SDK's HTTP handler clears socket timers that may predate the install; let it, quietly.
      shouldClearNativeTimers: true,
    });
    return new VirtualClock(installed, () => installed.uninstall());
  }

  now(): number {
    return this.fake.now;
  }

  date(): Date {
    return new Date(this.fake.now);
  }

  /** Runs `fn` after `ms` virtual milliseconds. */
  after(ms: number, fn: () => void): TimerHandle {
    return { id: this.fake.setTimeout(fn, Math.max(0, ms)) };
  }

  /** Runs `fn` at an absolute virtual time (or at once if that time has passed). */
  at(time: number, fn: () => void): TimerHandle {
    return this.after(time - this.now(), fn);
  }

  every(ms: number, fn: () => void): TimerHandle {
    return { id: this.fake.setInterval(fn, ms) };
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!handle) return;
    // clearTimeout clears intervals too in fake-timers, as in Node.
    this.fake.clearTimeout(handle.id as FakeTimers.TimerId);
  }

  /** Advances virtual time by `ms`, firing every timer due on the way and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    await this.fake.tickAsync(ms);
  }

  /** Advances to an absolute virtual time. */
  async advanceTo(time: number): Promise<void> {
    if (time > this.now()) await this.advance(time - this.now());
  }

  /** Virtual time of the next scheduled timer, if any. */
  nextTimerAt(): number | undefined {
    // fake-timers keeps its timers in a Map keyed by id (not part of its typed API).
    const timers = (this.fake as unknown as { timers?: Map<unknown, { callAt: number }> }).timers;
    if (!timers) return undefined;
    let next: number | undefined;
    for (const t of timers.values()) if (next === undefined || t.callAt < next) next = t.callAt;
    return next;
  }

  /** Fires the next timer (jumping time forward to it); false when nothing is scheduled. */
  async runNext(): Promise<boolean> {
    if (this.nextTimerAt() === undefined) return false;
    await this.fake.nextAsync();
    return true;
  }

  dispose(): void {
    this.uninstall?.();
  }
}

/**
 * Plays virtual time at `speed` virtual seconds per real second, on the process's real timers.
 * Used by `faultline sandbox --speed F`. Returns a function that stops it.
 */
export function playAtSpeed(clock: VirtualClock, speed: number): () => void {
  const stepMs = 20;
  let last = performance.now();
  const timer = REAL_TIMERS.setInterval(() => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    void clock.advance(Math.round(elapsed * speed));
  }, stepMs);
  timer.unref?.();
  return () => REAL_TIMERS.clearInterval(timer);
}
