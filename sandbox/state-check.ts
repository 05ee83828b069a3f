import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { type DatabaseManifest, MANIFEST_KEY } from './durable-level.ts';
import { finishInterruptedTableChanges, TABLE_PREFIX } from './table-repair.ts';

/** dynalite keeps a table's items under `item-<table>~<key>`. */
const ITEM_PREFIX = 'item-';

/**
 * The state folder is damaged: a file is missing, cut short or unreadable. The message names the
 * file, what is lost, and the two ways on (`--repair` keeps what is left, `--fresh` starts over).
 */
export class StateDamagedError extends Error {
  constructor(stateDir: string, problems: string[]) {
    super(
      `the sandbox's state in ${stateDir} is damaged:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        `  Keep what is left with \`faultline sandbox --repair --state-dir ${stateDir}\` (it says what it kept), ` +
        'or start from nothing with --fresh (everything in the folder is lost). Both change the folder: copy it first to keep the evidence.',
    );
    this.name = 'StateDamagedError';
  }
}

/** What the database of a state folder holds, read through before dynalite opens it. */
export interface DatabaseSurvey {
  manifest: DatabaseManifest | undefined;
  /** Items per table. */
  items: Record<string, number>;
  /** Tables whose interrupted CreateTable/UpdateTable/DeleteTable was finished. */
  repairedTables: string[];
  /** What was wrong and has been accepted (with `repair`). */
  repaired: string[];
}

/** What the state file says the database held when it was saved. */
export interface SavedDatabase {
  writes: number;
  /** Virtual time of that save (epoch ms). */
  savedAt: number | undefined;
}

/**
 * Reads the whole database at `path` before the sandbox serves it, so that damage is found at
 * start and named, not met later as a crash on some Scan or as data quietly missing:
 * - a folder with table files but no `CURRENT` (LevelDB would start an empty database over them);
 * - a database that cannot be opened or read through (a file cut short or overwritten: LevelDB
 *   names it in its error);
 * - fewer writes than the state file recorded at its last save (a log cut short or emptied: the
 *   newest writes are gone).
 * With `repair`, LevelDB's own repair runs first (it rebuilds `CURRENT` and the manifest from the
 * table files and drops what it cannot read), and what is left is accepted.
 */
export async function surveyDatabase(
  stateDir: string,
  path: string,
  opts: { saved: SavedDatabase | undefined; repair: boolean },
): Promise<DatabaseSurvey> {
  const near = relative(process.cwd(), path);
  const where = near && !near.startsWith('..') ? near : path;
  const problems: string[] = [];
  const files = existsSync(path) ? await readdir(path) : [];
  const hasData = files.some((f) => f.endsWith('.ldb') || f.endsWith('.log') || f.startsWith('MANIFEST-'));
  if (hasData && !files.includes('CURRENT')) {
    problems.push(
      `${join(where, 'CURRENT')} is missing: LevelDB cannot find its data (opened as it is, the database would start empty over it)`,
    );
  }
  if (problems.length > 0 && !opts.repair) throw new StateDamagedError(stateDir, problems);
  const repaired = [...problems];
  if (opts.repair && hasData) await ClassicLevel.repair(path);

  const survey: DatabaseSurvey = { manifest: undefined, items: {}, repairedTables: [], repaired };
  if (!hasData && !existsSync(join(path, 'CURRENT'))) {
    return checkWrites(stateDir, where, survey, opts);
  }
  const db = new ClassicLevel<string, Record<string, unknown>>(path, {
    valueEncoding: 'json',
    createIfMissing: false,
  });
  try {
    const tables: [string, Record<string, unknown>][] = [];
    try {
      await db.open();
      for await (const [key, value] of db.iterator({ fillCache: false })) {
        if (key === MANIFEST_KEY) survey.manifest = value as unknown as DatabaseManifest;
        else if (key.startsWith(TABLE_PREFIX)) tables.push([key, value]);
        else if (key.startsWith(ITEM_PREFIX)) {
          const table = key.slice(ITEM_PREFIX.length, key.indexOf('~'));
          survey.items[table] = (survey.items[table] ?? 0) + 1;
        }
      }
    } catch (e) {
      throw new StateDamagedError(stateDir, [
        `${where} cannot be read: ${levelMessage(e)}${opts.repair ? ' (even after LevelDB repair)' : ''}`,
      ]);
    }
    survey.repairedTables = await finishInterruptedTableChanges(db, tables);
  } finally {
    await db.close();
  }
  return checkWrites(stateDir, where, survey, opts);
}

function checkWrites(
  stateDir: string,
  where: string,
  survey: DatabaseSurvey,
  opts: { saved: SavedDatabase | undefined; repair: boolean },
): DatabaseSurvey {
  const expected = opts.saved?.writes ?? 0;
  const found = survey.manifest?.writes ?? 0;
  if (found >= expected) return survey;
  const held = Object.entries(survey.items);
  const left =
    held.length === 0
      ? 'it holds no items'
      : `it holds ${held.map(([t, n]) => `${n} item(s) in ${t}`).join(', ')}`;
  const savedAt = opts.saved?.savedAt === undefined ? '' : ` (saved at ${iso(opts.saved.savedAt)})`;
  const problem =
    `${where} holds ${found} write(s), but sandbox-state.json${savedAt} recorded ${expected}: ` +
    `the last ${expected - found} are lost (${left}; a LevelDB log cut short or emptied loses the newest writes)`;
  if (!opts.repair) throw new StateDamagedError(stateDir, [...survey.repaired, problem]);
  survey.repaired.push(problem);
  return survey;
}

function levelMessage(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string } };
  return [err.message, err.cause?.message].filter(Boolean).join(': ');
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.000Z$/, 'Z');
}
