import type { SelectionMode } from '../../../src/fis/selection-mode.ts';
import type { RandomStream } from '../../rng.ts';

/**
 * Picks the resources a selection mode asks for, at random from the seeded stream. PERCENT rounds
 * down but never to zero while there is something to pick, so a percentage of a small fleet still
 * hits one resource.
 */
export function select<T>(candidates: readonly T[], mode: SelectionMode, rng: RandomStream): T[] {
  const wanted =
    mode.kind === 'ALL'
      ? candidates.length
      : mode.kind === 'COUNT'
        ? Math.min(mode.n, candidates.length)
        : Math.min(candidates.length, Math.max(1, Math.floor((candidates.length * mode.n) / 100)));
  if (wanted >= candidates.length) return [...candidates];
  // Partial Fisher-Yates: the first `wanted` slots end up a uniform sample.
  const pool = [...candidates];
  for (let i = 0; i < wanted; i++) {
    const j = rng.int(i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  // Keep the world's order so that the resolved list reads the same way however the draw fell.
  const picked = new Set(pool.slice(0, wanted));
  return candidates.filter((c) => picked.has(c));
}
