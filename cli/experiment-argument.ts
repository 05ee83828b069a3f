import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { importTemplateFile } from '../src/experiments/import-template.ts';
import { loadExperimentFile } from '../src/experiments/load.ts';
import type { ExperimentSpec } from '../src/experiments/schema.ts';
import type { FisRuntime } from '../src/fis/runtime.ts';
import { quote } from '../src/input/quote.ts';
import { UsageError } from './errors.ts';
import { EXPERIMENTS_DIR } from './options.ts';

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The experiment a command is asked to run: a file path, the name of a file in experiments/
 * (`az-outage`), or an existing FIS template with `--template` and its side file `--spec`
 * (optional where the template tells what it would say). `runtime` is where it will run when
 * that is not AWS (the sandbox): what that does not model is refused now, not at FIS.
 */
export async function loadExperimentArgument(
  arg: string | undefined,
  flags: { template?: string; spec?: string },
  runtime?: FisRuntime,
): Promise<{ spec: ExperimentSpec; file: string }> {
  if (flags.template) {
    if (arg) throw new UsageError('give either an experiment file or --template, not both');
    return {
      // As given, so that what is said about them names them as the person wrote them.
      spec: await importTemplateFile(flags.template, flags.spec, { runtime }),
      file: flags.template,
    };
  }
  if (flags.spec) throw new UsageError('--spec goes with --template');
  if (!arg) throw new UsageError('which experiment? e.g. faultline gameday experiments/az-outage.yaml');
  for (const candidate of [arg, join(EXPERIMENTS_DIR, arg), join(EXPERIMENTS_DIR, `${arg}.yaml`)]) {
    if (await exists(candidate)) {
      return { spec: await loadExperimentFile(candidate, { runtime }), file: candidate };
    }
  }
  let known: string[] = [];
  try {
    known = (await readdir(EXPERIMENTS_DIR))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
  } catch {
    // no experiments folder here
  }
  throw new UsageError(
    `no experiment ${quote(arg)}${known.length ? ` (in ${EXPERIMENTS_DIR}/: ${known.join(', ')})` : ''}`,
  );
}
