import { experimentSchema } from '../experiments/schema.ts';
import { runbookSchema } from '../runbooks/schema.ts';

export type FileKind = 'experiment' | 'runbook';

const fields = (shape: object) => new Set(Object.keys(shape));
const EXPERIMENT_FIELDS = fields(experimentSchema.shape);
const RUNBOOK_FIELDS = fields(runbookSchema.shape);

/**
 * Whether a parsed file is meant as an experiment or a runbook, from the top-level fields only
 * one of the two has (a runbook's match, action, verify; an experiment's service, hypothesis,
 * fault, …), so that its problems are named against the right schema whatever its folder. A file
 * that says neither more than the other (empty, or only name and description) is checked as an
 * experiment, the kind faultline reads most.
 */
export function fileKind(data: unknown): FileKind {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'experiment';
  let experiment = 0;
  let runbook = 0;
  for (const key of Object.keys(data)) {
    const inExperiment = EXPERIMENT_FIELDS.has(key);
    const inRunbook = RUNBOOK_FIELDS.has(key);
    if (inExperiment && !inRunbook) experiment++;
    if (inRunbook && !inExperiment) runbook++;
  }
  return runbook > experiment ? 'runbook' : 'experiment';
}
