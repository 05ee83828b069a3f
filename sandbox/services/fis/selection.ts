import { type SelectionMode, selectedCount } from '../../../src/fis/selection-mode.ts';
import type { RandomStream } from '../../rng.ts';

/** Picks as many resources as the selection mode asks for, at random from the seeded stream. */
export function select<T>(candidates: readonly T[], mode: SelectionMode, rng: RandomStream): T[] {
  const wanted = selectedCount(mode, candidates.length);
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
