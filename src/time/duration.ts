import { parse } from 'tinyduration';

/**
 * ISO-8601 durations as FIS and faultline's files write them (`PT5M`, `PT1H30M`, `PT90S`, `P1D`),
 * in milliseconds; undefined when the text is not one. Years and months are refused: they have no
 * fixed length, and nothing here needs them.
 */
export function parseIsoDuration(text: string): number | undefined {
  let d: ReturnType<typeof parse>;
  try {
    d = parse(text);
  } catch {
    return undefined;
  }
  if (d.negative || d.years || d.months) return undefined;
  const seconds =
    (d.weeks ?? 0) * 604_800 +
    (d.days ?? 0) * 86_400 +
    (d.hours ?? 0) * 3_600 +
    (d.minutes ?? 0) * 60 +
    (d.seconds ?? 0);
  return Math.round(seconds * 1000);
}

/** `PT1H30M`-style text for a number of milliseconds (whole seconds). */
export function formatIsoDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
  return `PT${parts}`;
}
