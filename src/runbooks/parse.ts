import { ExperimentFileError, errorAt } from '../experiments/errors.ts';
import { describeIssue } from '../experiments/field-issue.ts';
import type { SourceDocument } from '../experiments/source-document.ts';
import { findRunbookProblem } from './rules.ts';
import { type Runbook, runbookSchema } from './schema.ts';

/**
 * The checks of loadRunbookFile (load.ts) that need no I/O, on a parsed document: what a Lambda
 * runs on the runbooks it was deployed with, without the file reading and YAML parsing.
 */
export function parseRunbook(source: SourceDocument): Runbook {
  if (source.data === null || source.data === undefined) {
    throw new ExperimentFileError(
      source.file,
      'the file is empty; a runbook needs at least name, description, match, action and verify',
    );
  }
  const parsed = runbookSchema.safeParse(source.data, { reportInput: true });
  if (!parsed.success) throw errorAt(source, describeIssue(parsed.error, runbookSchema));
  const problem = findRunbookProblem(parsed.data);
  if (problem) throw errorAt(source, problem);
  return parsed.data;
}
