import { resolve } from 'node:path';
import { ClassicLevel } from 'classic-level';

/**
 * The key, beside dynalite's own (`table~…`, `item-…`, `index-…`, `tag-…`), under which every
 * group of writes also records how many writes the database has taken so far. It lands in the
 * same LevelDB batch as the writes, so it is exactly as durable as they are: a database that lost
 * writes (a log cut short, an emptied log) shows a smaller count than the one saved beside it.
 */
export const MANIFEST_KEY = 'faultline~manifest';

/** What MANIFEST_KEY holds. */
export interface DatabaseManifest {
  /** Puts and deletes the database has taken, in total. */
  writes: number;
  /** The virtual time of the last group of writes (epoch ms). */
  at: number;
}

type Operation = { type: 'put' | 'del'; key: unknown; value?: unknown };
type Db = ClassicLevel<string, unknown>;
type BatchFn = (this: Db, operations: Operation[], options: Record<string, unknown>) => Promise<void>;

interface Group {
  ops: Operation[];
  done: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Group commit for one database: writes issued while a group is being synced wait for the next
 * one, which goes as a single LevelDB batch with `sync: true` (one fsync for all of them). Groups
 * land one at a time, in order, so the manifest's count only ever grows.
 */
class GroupCommit {
  written: number;
  private next: Group | undefined;
  private flushing = false;
  private readonly db: Db;
  private readonly batch: BatchFn;
  private readonly now: () => number;

  constructor(db: Db, batch: BatchFn, written: number, now: () => number) {
    this.db = db;
    this.batch = batch;
    this.written = written;
    this.now = now;
  }

  write(ops: Operation[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    this.next ??= { ops: [], done: [] };
    const group = this.next;
    group.ops.push(...ops);
    const landed = new Promise<void>((resolve, reject) => group.done.push({ resolve, reject }));
    if (!this.flushing) void this.flush();
    return landed;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.next) {
      const group = this.next;
      this.next = undefined;
      const written = this.written + group.ops.length;
      const manifest: DatabaseManifest = { writes: written, at: this.now() };
      try {
        await this.batch.call(
          this.db,
          [...group.ops, { type: 'put', key: MANIFEST_KEY, value: JSON.stringify(manifest) }],
          { sync: true },
        );
        this.written = written;
        for (const d of group.done) d.resolve();
      } catch (e) {
        for (const d of group.done) d.reject(e);
      }
    }
    this.flushing = false;
  }
}

/** Databases whose writes are made durable, by location. */
const durable = new Map<string, { written: number; now: () => number }>();
const commits = new WeakMap<Db, GroupCommit>();
let patched = false;

/**
 * dynalite opens its LevelDB itself and writes without `sync`: an acknowledged write could be lost
 * with the machine. dynalite takes no database from outside, so the writes of the database at
 * `location` are routed, below dynalite, through a group commit that syncs them (and counts them,
 * see MANIFEST_KEY) before they are acknowledged. Other databases are left alone. `written` is
 * the manifest's count when the database was last closed. Returns what ends it, and a reader of
 * the count of writes landed so far.
 */
export function makeWritesDurable(
  location: string,
  opts: { written: number; now: () => number },
): { written: () => number; release: () => void } {
  patchOnce();
  const key = resolve(location);
  const entry = { written: opts.written, now: opts.now };
  durable.set(key, entry);
  return {
    written: () => entry.written,
    release: () => {
      if (durable.get(key) === entry) durable.delete(key);
    },
  };
}

/**
 * Wraps ClassicLevel's private write methods (what abstract-level's put, del and batch end in) on
 * its prototype, once. Only instances opened at a registered location are affected.
 */
function patchOnce(): void {
  if (patched) return;
  patched = true;
  const proto = ClassicLevel.prototype as unknown as {
    _put: (key: unknown, value: unknown, options: Record<string, unknown>) => Promise<void>;
    _del: (key: unknown, options: Record<string, unknown>) => Promise<void>;
    _batch: BatchFn;
  };
  const { _put: put, _del: del, _batch: batch } = proto;
  const commitFor = (db: Db): GroupCommit | undefined => {
    const entry = durable.get(resolve(db.location));
    if (!entry) return undefined;
    let commit = commits.get(db);
    if (!commit) {
      commit = new GroupCommit(db, batch, entry.written, entry.now);
      commits.set(db, commit);
    }
    return commit;
  };
  const tracked = async (db: Db, commit: GroupCommit, ops: Operation[]) => {
    await commit.write(ops);
    const entry = durable.get(resolve(db.location));
    if (entry) entry.written = commit.written;
  };
  proto._put = function (this: Db, key, value, options) {
    const commit = commitFor(this);
    return commit
      ? tracked(this, commit, [{ type: 'put', key, value }])
      : put.call(this, key, value, options);
  };
  proto._del = function (this: Db, key, options) {
    const commit = commitFor(this);
    return commit ? tracked(this, commit, [{ type: 'del', key }]) : del.call(this, key, options);
  };
  proto._batch = function (this: Db, operations, options) {
    const commit = commitFor(this);
    return commit ? tracked(this, commit, operations) : batch.call(this, operations, options);
  };
}
