/** Numbers as the report prints them. */

/** `45 s`, `4 min 30 s`, `1 h 05 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 0) return `−${formatDuration(-s)}`;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Dollars with enough digits to see small amounts: `$1.20`, `$0.00725`. */
export function formatDollars(v: number): string {
  if (v === 0) return '$0.00';
  return v >= 1 ? `$${v.toFixed(2)}` : `$${Number(v.toPrecision(3))}`;
}

/** A unit price as written on a price list, never in exponent form: `$0.0000002`. */
export function formatPrice(v: number): string {
  let text = String(Number(v.toPrecision(6)));
  if (text.includes('e')) text = v.toFixed(12).replace(/0+$/, '');
  const decimals = text.split('.')[1]?.length ?? 0;
  return `$${decimals >= 2 ? text : v.toFixed(2)}`;
}

/** A number with at most `digits` decimals, trailing zeros dropped; `–` for null. */
export function formatNumber(v: number | null, digits = 1): string {
  if (v === null) return '–';
  const f = 10 ** digits;
  return String(Math.round(v * f) / f);
}

/** Whole numbers with thousands separators: `12,345`. */
export function formatCount(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** Rounds away floating-point noise (0.1 × 3 = 0.30000000000000004) before a number is stored. */
export function roundTo(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
