import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ExperimentEntry, lastRuns, nextRun } from '../../src/experiments/catalogue.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';
import { rtoText } from '../../src/report/terminal.ts';
import type { Incident } from '../../src/timeline/event.ts';
import type { ExperimentsFlags } from '../commands/experiments.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR } from '../options.ts';
import { withTimelineStore } from '../timeline-source.ts';

/** Incidents read to find each experiment's last run: far more than a year of weekly game days. */
const INCIDENTS_READ = 1000;

/** `faultline experiments`: each experiment file, its schedule, and its last game day's verdict. */
export async function experimentsAction(flags: ExperimentsFlags, io: Io): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(EXPERIMENTS_DIR)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    throw new UsageError(`no ${EXPERIMENTS_DIR}/ folder here: run faultline in the project's folder`);
  }
  const last = lastRuns(await incidents(flags));
  const now = Date.now();
  const entries: ExperimentEntry[] = [];
  const invalid: string[] = [];
  for (const file of names.map((n) => join(EXPERIMENTS_DIR, n))) {
    try {
      // Checked as for AWS: one that only runs there is still an experiment to list.
      const spec = await loadExperimentFile(file);
      entries.push({
        name: spec.name,
        file,
        description: spec.description,
        service: spec.service,
        schedule: spec.schedule ?? null,
        nextRun: nextRun(spec.schedule, now),
        lastRun: last.get(spec.name) ?? null,
      });
    } catch (e) {
      if (!(e instanceof ExperimentFileError)) throw e;
      invalid.push(file);
    }
  }
  if (flags.json) {
    io.out(JSON.stringify(entries, null, 2));
  } else {
    for (const entry of entries) for (const line of describe(entry)) io.out(line);
    if (entries.length === 0 && invalid.length === 0) io.out(`No experiment files in ${EXPERIMENTS_DIR}/.`);
  }
  for (const file of invalid) io.err(`not valid: ${file} (faultline validate ${file} says why)`);
}

/** Where incidents are read; with no sandbox state yet there are no runs, which is no error. */
async function incidents(flags: ExperimentsFlags): Promise<Incident[]> {
  if (!flags.aws && !flags.endpoint && !existsSync(join(resolve(flags.stateDir), 'dynamodb'))) return [];
  return withTimelineStore(flags, async (store) => {
    const all: Incident[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listIncidents({ limit: 100, cursor });
      all.push(...page.incidents);
      cursor = page.cursor;
    } while (cursor && all.length < INCIDENTS_READ);
    return all;
  });
}

const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function describe(e: ExperimentEntry): string[] {
  const schedule =
    e.schedule === null
      ? `on demand (faultline gameday ${e.name})`
      : `${e.schedule}, next ${e.nextRun === null ? 'counted from its deploy (a rate)' : utc(e.nextRun)}`;
  const run = e.lastRun;
  const verdict = run?.verdict
    ? `hypothesis ${run.verdict.hypothesis}, RTO ${rtoText(run.verdict.rto, 'gameday', run.verdict.injected)}`
    : run?.status === 'open'
      ? 'still running, or ended without a report'
      : `no verdict (${run?.status})`;
  return [
    `${e.name}  (${e.file}, service ${e.service})`,
    `  ${e.description}`,
    `  schedule:  ${schedule}`,
    `  last run:  ${run ? `${utc(run.openedAt)}  ${run.incidentId}: ${verdict}` : 'never'}`,
    '',
  ];
}
