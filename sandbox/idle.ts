import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { VirtualClock } from './clock.ts';

// Captured when this module loads, before any fake timers are installed: the driver itself must
// run on real event-loop turns.
const realSetImmediate = globalThis.setImmediate;

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

/**
 * Plays virtual time as fast as possible: whenever nothing has been in flight for a few event-loop
 * turns, jump to the next scheduled timer and fire it. "Nothing in flight" is `busy()` returning
 * false on several consecutive turns, which lets promise chains between two requests settle first.
 * Returns a function that stops the driver.
 */
export function playWhenIdle(clock: VirtualClock, busy: () => boolean, quietTurns = 3): () => void {
  let stopped = false;
  let quiet = 0;
  let jumping = false;
  const turn = () => {
    if (stopped) return;
    if (busy() || jumping) {
      quiet = 0;
    } else if (++quiet >= quietTurns) {
      quiet = 0;
      jumping = true;
      void clock.runNext().finally(() => {
        jumping = false;
      });
    }
    realSetImmediate(turn);
  };
  realSetImmediate(turn);
  return () => {
    stopped = true;
  };
}
