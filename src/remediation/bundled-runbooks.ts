import { ExperimentFileError } from '../experiments/errors.ts';
import { plainSource } from '../experiments/source-document.ts';
import { parseRunbook } from '../runbooks/parse.ts';
import type { Runbook } from '../runbooks/schema.ts';
import * as z from '../zod.ts';

const bundle = z.array(z.object({ file: z.string().check(z.minLength(1)), data: z.unknown() }));

let cached: { text: string; runbooks: Runbook[] } | undefined;

/**
 * The runbooks a deployment carries in FAULTLINE_RUNBOOKS (runbooks/bundle.cjs makes it from the
 * YAML files at package time), checked as `loadRunbooks` checks the folder: each file against the
 * schema and its references, names unique. In file-name order, the order matching tries them in.
 * Parsed once per distinct text.
 */
export function bundledRunbooks(text: string | undefined): Runbook[] {
  if (!text)
    throw new ExperimentFileError(
      'FAULTLINE_RUNBOOKS',
      'is not set (see provider.environment in serverless.yml)',
    );
  if (cached?.text === text) return cached.runbooks;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ExperimentFileError('FAULTLINE_RUNBOOKS', `is not JSON: ${(e as Error).message}`);
  }
  const files = bundle.safeParse(raw);
  if (!files.success)
    throw new ExperimentFileError(
      'FAULTLINE_RUNBOOKS',
      'must be a list of { file, data } (runbooks/bundle.cjs)',
    );
  const seen = new Map<string, string>();
  const runbooks = files.data.map(({ file, data }) => {
    const runbook = parseRunbook(plainSource(file, data));
    const first = seen.get(runbook.name);
    if (first)
      throw new ExperimentFileError(file, `'${runbook.name}' is already the name of ${first}`, {
        path: ['name'],
      });
    seen.set(runbook.name, file);
    return runbook;
  });
  cached = { text, runbooks };
  return runbooks;
}
