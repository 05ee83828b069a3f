/**
 * Places the labels of vertical marks (the key moments on a chart) in lanes above the plot so that
 * no two labels overlap and, where it can be helped, no mark's line runs through another label.
 * Pure: the caller measures the labels (text-width.ts) and draws them.
 */
export interface LaneItem {
  /** Where the mark's line is. */
  x: number;
  /** The label's width. */
  width: number;
}

export interface LanePlacement {
  /** The label's left edge. */
  left: number;
  /** 0 is the lane nearest the plot. */
  lane: number;
}

/**
 * Each label starts at its mark, or ends at it when it would run past `max`, or is pushed inside
 * [min, max] when neither fits. Lanes are filled from the plot up; a label goes in the lowest lane
 * where it overlaps no label (with `gap` between them), its line crosses no label below it, and it
 * covers no line of a label above it; when no lane keeps the lines clear, the lowest free one.
 */
export function placeLabels(
  items: readonly LaneItem[],
  min: number,
  max: number,
  gap: number,
): LanePlacement[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.x - items[b]!.x);
  const placed: Array<LanePlacement & { right: number; x: number }> = [];
  const out: LanePlacement[] = new Array(items.length);
  for (const i of order) {
    const { x, width } = items[i]!;
    let left = x;
    if (left + width > max) left = x - width;
    if (left < min) left = Math.max(min, Math.min(x, max - width));
    const right = left + width;
    const free = (lane: number) =>
      placed.every((p) => p.lane !== lane || p.right + gap <= left || right + gap <= p.left);
    const clear = (lane: number) =>
      placed.every(
        (p) =>
          // My line through a label below me, or its line through my label above it.
          !(p.lane < lane && p.left - gap < x && x < p.right + gap) &&
          !(p.lane > lane && left - gap < p.x && p.x < right + gap),
      );
    const top = placed.reduce((n, p) => Math.max(n, p.lane + 1), 0);
    let lane = -1;
    for (let l = 0; l <= top; l++) {
      if (free(l) && clear(l)) {
        lane = l;
        break;
      }
    }
    if (lane === -1) {
      lane = 0;
      while (!free(lane)) lane++;
    }
    placed.push({ left, right, lane, x });
    out[i] = { left, lane };
  }
  return out;
}
