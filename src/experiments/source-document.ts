import type { FieldPath } from '../fis/problem.ts';

// Apart from source.ts so that code checking data it was handed (a Lambda's bundled runbooks)
// does not carry the YAML parser.

/** A parsed YAML or JSON file that can still say on which line a field is written. */
export interface SourceDocument {
  file: string;
  data: unknown;
  /** The line of the field at `path`, or of the nearest enclosing field that exists. */
  lineOf(path: FieldPath): number | undefined;
}

/** Data that did not come from a file (an object handed over in code): no lines to point at. */
export function plainSource(file: string, data: unknown): SourceDocument {
  return { file, data, lineOf: () => undefined };
}
