import type { RandomStream } from '../../rng.ts';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * FIS-looking ids (`EXTa1b2c3de5f6g7h`, `EXPaBCD1efg2HIJkL3`) drawn from a seeded stream, so
 * the same seed and calls give the same ids; `taken` guards against ids restored from disk.
 */
export function newId(prefix: 'EXT' | 'EXP', rng: RandomStream, taken: (id: string) => boolean): string {
  const length = prefix === 'EXT' ? 14 : 15;
  for (;;) {
    let id = prefix;
    for (let i = 0; i < length; i++) id += ALPHANUMERIC[rng.int(0, ALPHANUMERIC.length - 1)];
    if (!taken(id)) return id;
  }
}
