import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import type { AwsEvent } from '../../events.ts';

/** One line of the journal: an event accepted for delivery, or the end of its delivery. */
type Line = { n: number; event: AwsEvent } | { done: number };

/** An accepted event not yet delivered to every target its rules named. */
export interface PendingEvent {
  /** Its number in the journal. */
  n: number;
  event: AwsEvent;
}

/**
 * The write-ahead log of EventBridge deliveries: an event that matched a rule is appended (and
 * synced to disk) before anyone is told it was accepted, and marked done once every target has it
 * and the state that records what they did with it is saved (or once they have given up on it,
 * into a dead-letter queue). A sandbox that stops in between delivers
 * what is pending when it starts again: at least once, as EventBridge promises. Synchronous on
 * purpose: nothing else runs between accepting an event and recording it, so virtual time cannot
 * move in between and a run replays the same on any machine.
 */
export class EventJournal {
  private readonly file: string;
  private readonly open = new Set<number>();
  private readonly settling = new Set<number>();
  private next = 1;

  constructor(file: string) {
    this.file = file;
  }

  /**
   * Reads the journal an earlier run left and rewrites it with only what is pending, which it
   * returns, oldest first. A last line cut short is an append the crash interrupted: that event
   * was never acknowledged. Any other unreadable line is damage, named.
   */
  load(): PendingEvent[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, 'utf8').split('\n');
    const pending = new Map<number, AwsEvent>();
    lines.forEach((text, i) => {
      if (text === '') return;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch (e) {
        if (i === lines.length - 1) return;
        throw new Error(
          `${this.file}, line ${i + 1}: not a journal entry (${(e as Error).message}); the events it held cannot be delivered: move the file away to start without them`,
        );
      }
      if ('done' in line) pending.delete(line.done);
      else {
        pending.set(line.n, line.event);
        this.next = Math.max(this.next, line.n + 1);
      }
    });
    const out = [...pending].map(([n, event]) => ({ n, event }));
    // Compacted through a new file, renamed over the old one: a crash now loses nothing.
    const fresh = `${this.file}.tmp`;
    this.write(fresh, 'w', out.map((p) => `${JSON.stringify({ n: p.n, event: p.event })}\n`).join(''), true);
    renameSync(fresh, this.file);
    for (const p of out) this.open.add(p.n);
    return out;
  }

  /** Records events as accepted, durably; returns their numbers, in order. */
  accept(events: readonly AwsEvent[]): number[] {
    const numbers = events.map(() => this.next++);
    this.append(events.map((event, i) => `${JSON.stringify({ n: numbers[i], event })}\n`).join(''), true);
    for (const n of numbers) this.open.add(n);
    return numbers;
  }

  /**
   * An event reached its targets; what they did with it (an execution started) is in memory until
   * the sandbox's state is next saved. It stays pending until then: see `checkpoint`.
   */
  delivered(n: number): void {
    if (this.open.has(n)) this.settling.add(n);
  }

  /**
   * The events delivered so far, to be marked done once the state saved now is on disk: a crash
   * before that delivers them again (their executions were not saved), a crash after does not.
   */
  checkpoint(): number[] {
    const out = [...this.settling];
    this.settling.clear();
    return out;
  }

  /**
   * Marks an event done. Not synced: losing the mark in a crash means one more delivery, which
   * at least once allows. When nothing is pending any more the journal starts over empty.
   */
  done(n: number): void {
    if (!this.open.delete(n)) return;
    if (this.open.size === 0) truncateSync(this.file, 0);
    else this.append(`${JSON.stringify({ done: n })}\n`, false);
  }

  private append(text: string, sync: boolean): void {
    this.write(this.file, 'a', text, sync);
  }

  private write(file: string, flags: 'a' | 'w', text: string, sync: boolean): void {
    const fd = openSync(file, flags);
    try {
      writeSync(fd, text);
      if (sync) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
