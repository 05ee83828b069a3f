import { parse } from 'tinyduration';

/**
 * The durations faultline reads: `P`, then weeks and days, then `T` and hours, minutes, seconds,
 * each a non-negative number. tinyduration's own pattern is not anchored and takes signed
 * components, so it reads `PT-10M` as minus ten minutes and finds `PT10M` inside `x PT10M y`:
 * the whole text must have this shape first.
 */
const SHAPE =
  /^P(?!$)(\d+([.,]\d+)?W)?(\d+([.,]\d+)?D)?(T(?=\d)(\d+([.,]\d+)?H)?(\d+([.,]\d+)?M)?(\d+([.,]\d+)?S)?)?$/;
/** No duration anyone means is longer to write (P365D is 5); a longer text is a mistake, or worse. */
const MAX_LENGTH = 32;
const UNITS = [
  ['weeks', 604_800_000],
  ['days', 86_400_000],
  ['hours', 3_600_000],
  ['minutes', 60_000],
  ['seconds', 1_000],
] as const;

/**
 * ISO-8601 durations as FIS and faultline's files write them (`PT5M`, `PT1H30M`, `PT90S`, `P1D`),
 * in milliseconds; undefined when the text is not one. Refused: a sign (`-PT5M`, `PT-5M`), years
 * and months (they have no fixed length, and nothing here needs them), a fraction anywhere but in
 * the last component (`PT1.5H30M`, which ISO 8601 does not allow either), parts of a millisecond,
 * and lengths past what a number holds exactly. Zero (`PT0S`) is a duration: whether a field may be
 * zero is the field's range (src/input/bounds.ts).
 */
export function parseIsoDuration(text: string): number | undefined {
  if (text.length > MAX_LENGTH || !SHAPE.test(text)) return undefined;
  let d: ReturnType<typeof parse>;
  try {
    d = parse(text, { allowMultipleFractions: false });
  } catch {
    return undefined;
  }
  let ms = 0;
  let fractionSeen = false;
  for (const [unit, size] of UNITS) {
    const n = d[unit];
    if (n === undefined) continue;
    if (fractionSeen) return undefined;
    fractionSeen = !Number.isInteger(n);
    ms += n * size;
  }
  // Fractions of a second are decimal text read into binary: 0.001 s is 1.0000000000000002 ms.
  const rounded = Math.round(ms);
  if (Math.abs(ms - rounded) > 1e-6 || !Number.isSafeInteger(rounded)) return undefined;
  return rounded;
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
