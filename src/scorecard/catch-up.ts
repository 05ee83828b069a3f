import { analyse } from '../report/analysis.ts';
import { ReportInputError } from '../report/errors.ts';
import type { Incident } from '../timeline/event.ts';
import { incidentCursor, type TimelineStore } from '../timeline/store.ts';
import { runOf } from './run.ts';

/** A game day without a report this long after it opened will not get one: it is passed over. */
const PENDING_MS = 24 * 3_600_000;
const PAGE = 100;

export interface CatchUpResult {
  /** Incidents looked at (those opened since the last catch-up). */
  checked: number;
  /** Game days recorded now. */
  recorded: number;
  /** Game days whose report could not be read, with why. */
  unreadable: { incidentId: string; reason: string }[];
}

/**
 * Records the game days that have a report but no record: those reported before records existed,
 * by a deployment older than the command, or whose RenderReport stopped between the two writes.
 * It reads the incidents opened since the last catch-up (src/timeline/runs.ts keeps the mark), so
 * the first one on an older table reads each reported game day's timeline once, and later ones
 * read only what is new. A game day still running (no report yet, opened within a day) holds the
 * mark, so the next catch-up looks at it again. Nothing to run by hand: the commands that read
 * the history call it first.
 */
export async function catchUp(
  store: TimelineStore,
  opts: { onRecording?: (incidentId: string) => void } = {},
): Promise<CatchUpResult> {
  const mark = await store.runs.catchUpMark();
  const now = store.runs.serviceNow();
  const result: CatchUpResult = { checked: 0, recorded: 0, unreadable: [] };
  let cursor = mark?.cursor ?? undefined;
  let done = cursor;
  let held = false;
  do {
    const page = await store.listIncidents({ limit: PAGE, cursor, oldestFirst: true });
    const reported = page.incidents.filter((i) => i.kind === 'gameday' && i.attributes.verdict !== undefined);
    const recorded = reported.length > 0 ? await store.runs.recorded(reported) : new Set<string>();
    for (const incident of page.incidents) {
      result.checked++;
      if (incident.kind === 'gameday') {
        if (incident.attributes.verdict === undefined) {
          if (Date.parse(incident.openedAt) > now - PENDING_MS) held = true;
        } else if (!recorded.has(incident.incidentId)) {
          opts.onRecording?.(incident.incidentId);
          const problem = await record(store, incident);
          if (problem) result.unreadable.push({ incidentId: incident.incidentId, reason: problem });
          else result.recorded++;
        }
      }
      if (!held) done = incidentCursor(incident);
    }
    cursor = page.cursor;
  } while (cursor);
  if (done !== (mark?.cursor ?? undefined) || result.recorded > 0) {
    await store.runs.setCatchUpMark({
      cursor: done ?? null,
      at: new Date(now).toISOString(),
      recorded: (mark?.recorded ?? 0) + result.recorded,
    });
  }
  return result;
}

/** Analyses the game day's timeline as its report did and records it; the problem when it cannot. */
async function record(store: TimelineStore, incident: Incident): Promise<string | null> {
  const events = await store.all(incident.incidentId);
  try {
    const run = runOf(analyse(incident, events));
    if (run) await store.runs.record(run);
    return null;
  } catch (e) {
    if (e instanceof ReportInputError) return e.message;
    throw e;
  }
}
