import type { TimelineEvent } from '../timeline/event.ts';
import type { ZoneFormat } from './time-zone.ts';

/**
 * An instant as writers put it in a summary or a detail: ISO-8601 with its zone (the timeline's
 * own format), e.g. `recovery deadline 2026-01-05T09:17:05.000Z`. Summaries are written once, in
 * UTC, by handlers that know nothing of who reads them; the zone is the reader's, so the instants
 * inside the text are shown in it when the text is displayed.
 */
const INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})/g;

/**
 * `text` with every ISO instant in it shown in the zone: the time alone when it falls on the date
 * of `near` (the event's own instant), else the date and time.
 */
export function localiseInstants(text: string, zone: ZoneFormat, near: number): string {
  return text.replace(INSTANT, (iso) => {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return iso;
    return zone.date(ms) === zone.date(near) ? zone.time(ms) : zone.dateTime(ms);
  });
}

/**
 * One event as a person reads it on a timeline: its summary with its instants in the reader's
 * zone. A state-machine step says it started or returned, never that it "succeeded": a poll that
 * returned may have found the steady state not back yet.
 */
export function eventText(event: TimelineEvent, zone: ZoneFormat, at: number): string {
  if (event.kind === 'gameday.step') {
    const d = event.detail as { step?: unknown; status?: unknown; attempt?: unknown; iteration?: unknown };
    if (typeof d.step === 'string' && typeof d.status === 'string') {
      const round = typeof d.iteration === 'number' ? ` #${d.iteration}` : '';
      const attempt = typeof d.attempt === 'number' && d.attempt > 1 ? ` (attempt ${d.attempt})` : '';
      if (d.status !== 'failed') {
        return `step ${d.step}${round} ${d.status === 'succeeded' ? 'returned' : d.status}${attempt}`;
      }
    }
  }
  return localiseInstants(event.summary || event.kind, zone, at);
}
