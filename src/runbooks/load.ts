import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorAt } from '../experiments/errors.ts';
import { readSource } from '../experiments/source.ts';
import type { SourceDocument } from '../experiments/source-document.ts';
import { quote } from '../input/quote.ts';
import { parseRunbook } from './parse.ts';
import type { Runbook } from './schema.ts';

/**
 * Reads a runbook file and checks all of it: YAML, the schema (unknown fields included), then the
 * references to the event. Anything wrong is one error naming the file, the field and the line
 * (the same ExperimentFileError experiment files get: `file: field: detail (line n)`).
 */
export async function loadRunbookFile(file: string): Promise<Runbook> {
  return parseRunbook(await readSource(file, 'yaml'));
}

/**
 * Every runbook in a folder (`*.yaml`, `*.yml`), in file-name order, which is the order matching
 * tries them in. Two runbooks of the same name are refused: the name keys their limits.
 */
export async function loadRunbooks(dir: string): Promise<Runbook[]> {
  const files = (await readdir(dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  const seen: RunbookNames = new Map();
  const runbooks: Runbook[] = [];
  for (const file of files) {
    const source = await readSource(file, 'yaml');
    const runbook = parseRunbook(source);
    claimName(seen, source, runbook);
    runbooks.push(runbook);
  }
  return runbooks;
}

/** Runbook name → the file that has it. */
export type RunbookNames = Map<string, string>;

/** Records a runbook's name, refusing one already taken: the name keys its limits. */
export function claimName(seen: RunbookNames, source: SourceDocument, runbook: Runbook): void {
  const first = seen.get(runbook.name);
  if (first) {
    throw errorAt(source, {
      path: ['name'],
      detail: `${quote(runbook.name)} is already the name of ${first}`,
    });
  }
  seen.set(runbook.name, source.file);
}
