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

/**
 * How many of `available` resources a selection mode picks. PERCENT rounds down but never to zero
 * while there is something to pick, so a percentage of a small fleet still hits one resource;
 * COUNT never picks more than exist.
 */
export function selectedCount(mode: SelectionMode, available: number): number {
  switch (mode.kind) {
    case 'ALL':
      return available;
    case 'COUNT':
      return Math.min(mode.n, available);
    case 'PERCENT':
      return Math.min(available, Math.max(1, Math.floor((available * mode.n) / 100)));
  }
}
