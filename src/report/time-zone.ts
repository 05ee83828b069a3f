import { ReportInputError } from './errors.ts';

/** Times as the report shows them: in one IANA time zone, stated at the top of every report. */
export interface ZoneFormat {
  readonly timeZone: string;
  /** `09:14` */
  minute(ms: number): string;
  /** `09:14:05` */
  time(ms: number): string;
  /** `2026-01-05` (the local date) */
  date(ms: number): string;
  /** `2026-01-05 09:14` */
  dateMinute(ms: number): string;
  /** `2026-01-05 09:14:05` */
  dateTime(ms: number): string;
  /** `UTC+01:00` */
  offsetLabel(ms: number): string;
}

// Zones change offset only on quarter hours, so one lookup per quarter hour serves every instant
// in it: formatting stays cheap (no Intl call per event) for incidents of any length.
const QUARTER_HOUR = 15 * 60_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function zoneFormat(timeZone = 'UTC'): ZoneFormat {
  let intl: Intl.DateTimeFormat;
  try {
    intl = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  } catch {
    throw new ReportInputError(`timeZone '${timeZone}' is not an IANA time zone such as Europe/Paris or UTC`);
  }
  const offsets = new Map<number, number>();
  const offsetMs = (ms: number): number => {
    const bucket = Math.floor(ms / QUARTER_HOUR);
    let off = offsets.get(bucket);
    if (off === undefined) {
      const at = bucket * QUARTER_HOUR;
      const p: Record<string, number> = {};
      for (const part of intl.formatToParts(at))
        if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - at;
      offsets.set(bucket, off);
    }
    return off;
  };
  const local = (ms: number) => new Date(ms + offsetMs(ms));
  const hm = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const ymd = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return {
    timeZone: intl.resolvedOptions().timeZone,
    minute: (ms) => hm(local(ms)),
    time: (ms) => {
      const d = local(ms);
      return `${hm(d)}:${pad(d.getUTCSeconds())}`;
    },
    date: (ms) => ymd(local(ms)),
    dateMinute: (ms) => {
      const d = local(ms);
      return `${ymd(d)} ${hm(d)}`;
    },
    dateTime: (ms) => {
      const d = local(ms);
      return `${ymd(d)} ${hm(d)}:${pad(d.getUTCSeconds())}`;
    },
    offsetLabel: (ms) => {
      const minutes = Math.round(offsetMs(ms) / 60_000);
      const abs = Math.abs(minutes);
      return `UTC${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    },
  };
}
