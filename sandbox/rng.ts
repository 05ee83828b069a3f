import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The sandbox's only source of randomness. Each consumer takes a named stream (`rng.stream('rds')`)
 * so that adding a random draw in one part of the world does not shift every other part's numbers:
 * the same seed keeps giving the same timeline as the world grows.
 */
export class Rng {
  private readonly seed: number;
  constructor(seed: number) {
    this.seed = seed >>> 0;
  }

  stream(name: string): RandomStream {
    let h = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    return new RandomStream(h);
  }
}

export class RandomStream {
  private readonly gen: ReturnType<typeof xoroshiro128plus>;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.gen, min, max);
  }
  /** Float in [0, 1). */
  next(): number {
    return uniformInt(this.gen, 0, 0x7fffffff) / 0x80000000;
  }
  /** Float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }
}
