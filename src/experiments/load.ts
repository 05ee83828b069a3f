import type { FisRuntime } from '../fis/runtime.ts';
import type { AlarmLookup } from './alarm-lookup.ts';
import { ExperimentFileError, errorAt } from './errors.ts';
import { describeIssue } from './field-issue.ts';
import { findExperimentProblem, findUnknownAlarm } from './rules.ts';
import { type ExperimentSpec, experimentSchema } from './schema.ts';
import { readSource } from './source.ts';
import type { SourceDocument } from './source-document.ts';

export interface LoadOptions {
  /** Also check that the alarms it names exist there (a sandbox world, CloudWatch). */
  alarms?: AlarmLookup;
  /** Where it will run when that is not AWS (the sandbox): refuse what that runtime does not model. */
  runtime?: FisRuntime;
}

/**
 * Reads an experiment file and checks all of it: YAML, the schema (unknown fields included), then
 * what FIS would refuse and faultline's own guardrails (rules.ts), then optionally its alarms.
 * Anything wrong is one ExperimentFileError naming the file, the field and the line.
 */
export async function loadExperimentFile(file: string, opts: LoadOptions = {}): Promise<ExperimentSpec> {
  return checkExperiment(await readSource(file, 'yaml'), opts);
}

/** loadExperimentFile's checks on a file already read (`faultline validate` reads it to tell its kind). */
export async function checkExperiment(
  source: SourceDocument,
  opts: LoadOptions = {},
): Promise<ExperimentSpec> {
  const spec = parseExperiment(source, opts);
  if (opts.alarms) {
    const unknown = await findUnknownAlarm(spec, opts.alarms);
    if (unknown) throw errorAt(source, unknown);
  }
  return spec;
}

/** The checks of loadExperimentFile that need no I/O, on a parsed document. */
export function parseExperiment(source: SourceDocument, opts: { runtime?: FisRuntime } = {}): ExperimentSpec {
  if (source.data === null || source.data === undefined) {
    throw new ExperimentFileError(
      source.file,
      'the file is empty; an experiment needs at least name, description, service, objectives, hypothesis, fault and stopConditions',
    );
  }
  const parsed = experimentSchema.safeParse(source.data, { reportInput: true });
  if (!parsed.success) throw errorAt(source, describeIssue(parsed.error, experimentSchema));
  const problem = findExperimentProblem(parsed.data, opts);
  if (problem) throw errorAt(source, problem);
  return parsed.data;
}
