import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sandbox/rng.ts';
import { select } from '../../sandbox/services/fis/selection.ts';
import { parseSelectionMode, type SelectionMode, selectedCount } from '../../src/fis/selection-mode.ts';

const available = fc.integer({ min: 0, max: 500 });
const mode: fc.Arbitrary<SelectionMode> = fc.oneof(
  fc.constant<SelectionMode>({ kind: 'ALL' }),
  fc.integer({ min: 1, max: 1000 }).map((n): SelectionMode => ({ kind: 'COUNT', n })),
  fc.integer({ min: 1, max: 100 }).map((n): SelectionMode => ({ kind: 'PERCENT', n })),
);

describe('selectedCount', () => {
  it('counts as FIS does on a small fleet', () => {
    const count = (text: string, n: number) => selectedCount(parseSelectionMode(text)!, n);
    expect(count('ALL', 6)).toBe(6);
    expect(count('COUNT(1)', 6)).toBe(1);
    expect(count('COUNT(9)', 6)).toBe(6);
    expect(count('PERCENT(50)', 6)).toBe(3);
    expect(count('PERCENT(10)', 6)).toBe(1);
    expect(count('PERCENT(10)', 0)).toBe(0);
    expect(count('PERCENT(99)', 10)).toBe(9);
  });

  it('never picks more than exist, and picks something whenever something exists', () => {
    fc.assert(
      fc.property(mode, available, (m, n) => {
        const k = selectedCount(m, n);
        expect(k).toBeGreaterThanOrEqual(0);
        expect(k).toBeLessThanOrEqual(n);
        expect(k >= 1).toBe(n >= 1);
      }),
    );
  });

  it('rounds a percentage down unless that would pick nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), available, (p, n) => {
        const k = selectedCount({ kind: 'PERCENT', n: p }, n);
        const exact = (n * p) / 100;
        if (n > 0 && exact < 1) expect(k).toBe(1);
        else expect(k).toBe(Math.floor(exact));
      }),
    );
  });

  it('grows with the fleet', () => {
    fc.assert(
      fc.property(mode, available, available, (m, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(selectedCount(m, lo)).toBeLessThanOrEqual(selectedCount(m, hi));
      }),
    );
  });
});

describe('sandbox FIS select', () => {
  it('picks exactly selectedCount distinct candidates, in the world order', () => {
    fc.assert(
      fc.property(mode, fc.integer({ min: 0, max: 60 }), fc.integer(), (m, n, seed) => {
        const candidates = Array.from({ length: n }, (_, i) => `i-${i}`);
        const picked = select(candidates, m, new RandomStream(seed));
        expect(picked).toHaveLength(selectedCount(m, n));
        expect(picked).toEqual(candidates.filter((c) => picked.includes(c)));
      }),
    );
  });
});
