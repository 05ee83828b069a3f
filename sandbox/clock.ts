import { AsyncLocalStorage } from 'node:async_hooks';
import FakeTimers from '@sinonjs/fake-timers';

/** 2026-01-05T09:00:00Z, a Monday morning: the default start of a sandbox's virtual time. */
export const DEFAULT_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);

export type TimerHandle = { readonly id: unknown };

/** A piece of work in flight (a Lambda invocation) and how many virtual timers it waits on. */
interface Work {
  timers: number;
}

/** Work started with `VirtualClock.startWork`: run it, and end it when it is over (or abandoned). */
export interface WorkHandle {
  run<T>(fn: () => Promise<T>): Promise<T>;
  end(): void;
}

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
  private uninstall: (() => void) | undefined;
  private readonly work = new AsyncLocalStorage<Work>();
  private readonly active = new Set<Work>();

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
    const clock = new VirtualClock(installed);
    const restore = opts.dateOnly ? () => {} : clock.attributeGlobalTimers();
    clock.uninstall = () => {
      restore();
      installed.uninstall();
    };
    return clock;
  }

  /**
   * Starts a piece of work whose progress the drivers of virtual time must respect: while it
   * computes, or waits on anything but this clock (a request, a file), it counts as running and
   * virtual time stands still; while everything it waits on is a timer of this clock (an SDK
   * retry back-off), it counts as waiting, and time may move to that timer. A Lambda invocation
   * is such a piece of work.
   */
  startWork(): WorkHandle {
    const w: Work = { timers: 0 };
    this.active.add(w);
    return {
      run: (fn) => this.work.run(w, fn),
      end: () => {
        this.active.delete(w);
      },
    };
  }

  /** Work in flight that is running rather than waiting on this clock. */
  get workRunning(): number {
    let n = 0;
    for (const w of this.active) if (w.timers === 0) n++;
    return n;
  }

  /**
   * Wraps the faked global setTimeout/clearTimeout so that a timer set from inside a piece of work
   * (see startWork) is counted against it until it fires or is cleared. Returns what undoes it.
   */
  private attributeGlobalTimers(): () => void {
    const g = globalThis as unknown as {
      setTimeout: (fn: unknown, ms?: number, ...args: unknown[]) => unknown;
      clearTimeout: (handle: unknown) => void;
    };
    const set = g.setTimeout;
    const clear = g.clearTimeout;
    const owners = new Map<number, Work>();
    const release = (key: number) => {
      const w = owners.get(key);
      if (!w) return;
      owners.delete(key);
      w.timers--;
    };
    g.setTimeout = (fn, ms, ...args) => {
      const w = this.work.getStore();
      if (!w || typeof fn !== 'function') return set(fn, ms, ...args);
      let key = Number.NaN;
      const handle = set(
        (...a: unknown[]) => {
          release(key);
          (fn as (...x: unknown[]) => void)(...a);
        },
        ms,
        ...args,
      );
      // fake-timers' handles turn into their numeric id, which is also what some callers keep.
      key = Number(handle);
      owners.set(key, w);
      w.timers++;
      return handle;
    };
    g.clearTimeout = (handle) => {
      if (handle !== undefined && handle !== null) release(Number(handle));
      clear(handle);
    };
    return () => {
      g.setTimeout = set;
      g.clearTimeout = clear;
    };
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
