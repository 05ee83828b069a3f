import { performance } from 'node:perf_hooks';
import { runGameDay } from '../cli/actions/gameday.ts';
import { DEFAULT_EPOCH } from '../sandbox/clock.ts';
import { PROJECT_DIR, startLocal } from '../sandbox/local.ts';
import { loadExperimentFile } from '../src/experiments/load.ts';
import type { ExperimentSpec } from '../src/experiments/schema.ts';
import { figure } from './print.ts';

/** A world seed in which the stretched AZ outage runs its full length (no stop condition trips). */
const SEED = Number(process.env.BENCH_SEED ?? 2);

/**
 * The shipped AZ outage, stretched to fill an hour: the AZ stays down 56 minutes, then recovery
 * is verified. Same actions, targets and stop conditions.
 */
function stretched(spec: ExperimentSpec): ExperimentSpec {
  const actions = Object.fromEntries(
    Object.entries(spec.fault.actions).map(([name, a]) => {
      const parameters = { ...a.parameters };
      if (parameters.duration) parameters.duration = 'PT56M';
      if (parameters.startInstancesAfterDuration) parameters.startInstancesAfterDuration = 'PT56M';
      return [name, { ...a, parameters }];
    }),
  );
  return {
    ...spec,
    fault: { ...spec.fault, actions },
    guardrails: { ...spec.guardrails, maxDuration: 'PT60M' },
  };
}

/** Wall time of a 60-virtual-minute AZ-outage game day in the sandbox (target: under 5 s on 2 cores). */
export async function gameDayBench(): Promise<void> {
  const spec = stretched(await loadExperimentFile(`${PROJECT_DIR}/experiments/az-outage.yaml`));
  const quiet = { out: () => {}, err: () => {} };
  const t0 = performance.now();
  const stack = await startLocal({ seed: SEED, start: DEFAULT_EPOCH, time: 'fast' });
  const started = performance.now();
  const virtualStart = stack.clock.now();
  try {
    const summary = await runGameDay(
      spec,
      { dryRun: false, out: `${PROJECT_DIR}/.faultline/bench-reports`, json: true, stage: 'dev' },
      stack,
      quiet,
    );
    const virtualMinutes = (stack.clock.now() - virtualStart) / 60_000;
    figure('gameday.az_outage.wall_time', (performance.now() - started) / 1000, 's');
    figure('gameday.az_outage.wall_time_with_sandbox_start', (performance.now() - t0) / 1000, 's');
    figure('gameday.az_outage.virtual_time', virtualMinutes, 'min');
    figure('gameday.az_outage.speedup', (virtualMinutes * 60_000) / (performance.now() - started), 'x');
    process.stderr.write(
      `# game day ${summary.incidentId}: ${summary.status}, experiment ${summary.experiment.finalStatus}\n`,
    );
  } finally {
    await stack.close();
  }
}
