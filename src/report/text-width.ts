/**
 * How wide a line of text is drawn, estimated without a browser: the charts place their labels
 * from it (report.html has no script to measure them). Widths are in ems, on the generous side
 * of the common sans-serif faces (DejaVu Sans, the widest of them, is what Debian and many Linux
 * desktops draw `system-ui` with), so a label placed by them never runs into the next one;
 * test/report/browser.test.ts checks them against a real browser.
 */
const NARROW = new Set([..."il.,:;'|!ijtfIr()[] "]);
const WIDE = new Set([...'mwMW@%']);

function charEm(c: string): number {
  if (NARROW.has(c)) return 0.36;
  if (WIDE.has(c)) return 0.95;
  if (c >= '0' && c <= '9') return 0.64;
  if (c >= 'A' && c <= 'Z') return 0.74;
  // Lower case, punctuation and anything else (·, →, ≤, –): about a lower-case letter.
  return 0.64;
}

/** The drawn width of `text` at `fontSize` (same units), `bold` adding what a bold face takes. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of text) em += charEm(c);
  return em * fontSize * (bold ? 1.1 : 1);
}
