import type { ExperimentSpec } from '../experiments/schema.ts';

export type WindowSpec = ExperimentSpec['guardrails']['windows'][number];

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The weekday and the `HH:MM` wall-clock time at `at` in a time zone. */
export function wallClock(at: Date, timeZone: string): { day: (typeof WEEKDAYS)[number]; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').slice(0, 3).toLowerCase() as (typeof WEEKDAYS)[number];
  return { day, time: `${part('hour')}:${part('minute')}` };
}

/**
 * Whether `at` falls in one of the allowed windows (each in its own time zone, `from` included,
 * `to` excluded). No windows means always allowed.
 */
export function checkWindows(windows: readonly WindowSpec[], at: Date): { ok: boolean; detail: string } {
  if (windows.length === 0) return { ok: true, detail: 'no time window configured: always allowed' };
  for (const w of windows) {
    const { day, time } = wallClock(at, w.timezone);
    if (w.days.includes(day) && time >= w.from && time < w.to) {
      return { ok: true, detail: `inside the window ${describe(w)} (${day} ${time} ${w.timezone})` };
    }
  }
  const first = windows[0]!;
  const { day, time } = wallClock(at, first.timezone);
  return {
    ok: false,
    detail: `guardrails.windows: ${day} ${time} ${first.timezone} is outside every allowed window (${windows.map(describe).join('; ')})`,
  };
}

function describe(w: WindowSpec): string {
  return `${w.days.join(',')} ${w.from}-${w.to} ${w.timezone}`;
}
