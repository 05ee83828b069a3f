import { z } from 'zod';
import { countIn, type NumberRange, numberIn } from '../../src/input/bounds.ts';

/** The field types world files share, one definition for the world's schema and each section's. */

/** A number in a range, checked by the same rule as every other file's numbers. */
export const number = (r: NumberRange) => z.number().check(numberIn(r));
export const count = (min: number, max: number) => z.number().check(countIn(min, max));
/** Seconds a world's step takes: from nothing to an hour (the world models minutes, not days). */
const SECONDS = { min: 0, max: 3600 };
/** `[min, max]` seconds: the world draws a duration in that range from its seeded RNG. */
export const secondsRange = z
  .tuple([number(SECONDS), number(SECONDS)])
  .refine(([a, b]) => a <= b, 'the first number of a range must not be larger than the second');
export const tags = z.record(z.string(), z.string());
