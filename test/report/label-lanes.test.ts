import { describe, expect, it } from 'vitest';
import { placeLabels } from '../../src/report/label-lanes.ts';

describe('placeLabels', () => {
  it('never puts two labels on each other, and keeps every label inside its bounds', () => {
    // Marks a few units apart (detected, responded, mitigated), one near each edge.
    const items = [
      { x: 2, width: 90 },
      { x: 140, width: 100 },
      { x: 150, width: 70 },
      { x: 153, width: 80 },
      { x: 160, width: 70 },
      { x: 300, width: 60 },
      { x: 350, width: 60 },
    ];
    const placed = placeLabels(items, 0, 360, 6);
    placed.forEach((p, i) => {
      expect(p.left).toBeGreaterThanOrEqual(0);
      expect(p.left + items[i]!.width).toBeLessThanOrEqual(360);
      placed.forEach((q, j) => {
        if (j <= i || q.lane !== p.lane) return;
        const apart = p.left + items[i]!.width + 6 <= q.left || q.left + items[j]!.width + 6 <= p.left;
        expect(apart, `labels ${i} and ${j} in lane ${p.lane}`).toBe(true);
      });
    });
    // Marks far apart share the lane nearest the plot; close ones stack.
    expect(placed[0]!.lane).toBe(0);
    expect(new Set(placed.slice(1, 5).map((p) => p.lane)).size).toBe(4);
    // A label that would run past the right edge ends at its mark instead.
    expect(placed[6]!.left).toBe(290);
  });
});
