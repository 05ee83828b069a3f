import * as z from '../zod.ts';
import { type TemplateProblem, templateProblem } from './problem.ts';

export type WireResult<T> = { ok: true; value: T } | { ok: false; problem: TemplateProblem };

/**
 * Parses a FIS request body with its zod shape. The first problem is worded as FIS words it:
 * `'field' is required`, or `Invalid value for 'field': …`.
 */
export function parseFisInput<T extends z.core.$ZodType>(schema: T, input: unknown): WireResult<z.output<T>> {
  const result = z.safeParse(schema, input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    return { ok: false, problem: templateProblem(path, 'is required') };
  }
  return { ok: false, problem: templateProblem(path, issue.message, 'invalid') };
}
