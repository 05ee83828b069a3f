import type { ExperimentSpec } from '../experiments/schema.ts';

export type WindowSpec = ExperimentSpec['guardrails']['windows'][number];

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

// Building a formatter costs far more than using one; nextAllowedMoment asks thousands of times.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and the `HH:MM` wall-clock time at `at` in a time zone. */
export function wallClock(at: Date, timeZone: string): { day: (typeof WEEKDAYS)[number]; time: string } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
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

/** How far ahead `nextAllowedMoment` looks: every weekly window recurs within it. */
const LOOK_AHEAD_MINUTES = 8 * 24 * 60;
const MINUTE_MS = 60_000;

/**
 * The first whole minute at or after `from` that falls in an allowed window (`from` itself when no
 * windows are configured), or undefined when none does within a week and a day (windows that can
 * never open, such as `from` equal to `to`).
 */
export function nextAllowedMoment(windows: readonly WindowSpec[], from: Date): Date | undefined {
  if (checkWindows(windows, from).ok) return from;
  const start = Math.ceil(from.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let i = 0; i <= LOOK_AHEAD_MINUTES; i++) {
    const at = new Date(start + i * MINUTE_MS);
    if (checkWindows(windows, at).ok) return at;
  }
  return undefined;
}
