export type SelectionMode = { kind: 'ALL' } | { kind: 'COUNT'; n: number } | { kind: 'PERCENT'; n: number };

/** Parses a target's `selectionMode`: ALL, COUNT(n) with n ≥ 1, or PERCENT(n) with 1 ≤ n ≤ 100. */
export function parseSelectionMode(text: string): SelectionMode | undefined {
  if (text === 'ALL') return { kind: 'ALL' };
  const m = /^(COUNT|PERCENT)\((\d{1,9})\)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[2]);
  if (m[1] === 'COUNT') return n >= 1 ? { kind: 'COUNT', n } : undefined;
  return n >= 1 && n <= 100 ? { kind: 'PERCENT', n } : undefined;
}
