import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { parseExperiment } from '../../src/experiments/load.ts';
import { parseSource } from '../../src/experiments/source.ts';
import type { FileKind } from '../../src/input/file-kind.ts';
import { starterText } from '../../src/input/starters.ts';
import { parseRunbook } from '../../src/runbooks/parse.ts';
import type { InitFlags } from '../commands/init.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR, RUNBOOKS_DIR } from '../options.ts';
import { SANDBOX_FOR_PEOPLE } from '../sandbox-runtime.ts';

/** `faultline init`: writes a starting file, checked first as its kind is checked, never over another. */
export async function initAction(kind: FileKind, name: string, flags: InitFlags, io: Io): Promise<void> {
  const file = flags.out ?? join(kind === 'experiment' ? EXPERIMENTS_DIR : RUNBOOKS_DIR, `${name}.yaml`);
  const text = starterText(kind, name);
  // The name is the one thing the person chose: the schema says whether it will do.
  try {
    const source = parseSource(file, text, 'yaml');
    if (kind === 'experiment') parseExperiment(source, { runtime: SANDBOX_FOR_PEOPLE });
    else parseRunbook(source);
  } catch (e) {
    if (e instanceof ExperimentFileError) throw new UsageError(`nothing written: ${e.message}`);
    throw e;
  }
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, text, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`nothing written: ${file} exists (pass --out to write elsewhere)`);
    }
    throw e;
  }
  const next =
    kind === 'experiment'
      ? `faultline validate ${file}, then faultline gameday ${file} --dry-run`
      : `faultline validate ${file}`;
  io.out(`Wrote ${file}: edit it, then ${next}`);
}
