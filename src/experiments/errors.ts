import { type FieldPath, formatFieldPath } from '../fis/problem.ts';
import { excerpt } from '../input/quote.ts';
import type { FieldIssue } from './field-issue.ts';
import type { SourceDocument } from './source-document.ts';

/**
 * The one error a bad experiment gets: which file (or experiment), which field, what is wrong,
 * and the line when the file says where. `file: field: detail (line n)`.
 */
export class ExperimentFileError extends Error {
  readonly file: string;
  /** The field as the file spells it, e.g. `fault.actions.kill.action`; undefined for the file as a whole. */
  readonly field: string | undefined;
  readonly detail: string;
  readonly line: number | undefined;

  constructor(file: string, detail: string, where: { path?: FieldPath; line?: number } = {}) {
    // A key is text from the file too: a misspelt 100 KB key is named by its first characters.
    const path = where.path?.map((key) => (typeof key === 'string' ? excerpt(key) : key));
    const field = path && path.length > 0 ? formatFieldPath(path) : undefined;
    super(`${file}: ${field ? `${field}: ` : ''}${detail}${where.line ? ` (line ${where.line})` : ''}`);
    this.name = 'ExperimentFileError';
    this.file = file;
    this.field = field;
    this.detail = detail;
    this.line = where.line;
  }
}

/** The error for a problem at a field of a file, with the line the field is written on. */
export function errorAt(source: SourceDocument, issue: FieldIssue): ExperimentFileError {
  return new ExperimentFileError(source.file, issue.detail, {
    path: issue.path,
    line: source.lineOf(issue.path),
  });
}
