import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { type GameDaySummary, runGameDay } from '../cli/actions/gameday.ts';
import { switchRemediation } from '../cli/remediation-switch.ts';
import { DEFAULT_EPOCH } from '../sandbox/clock.ts';
import { PROJECT_DIR, startLocal } from '../sandbox/local.ts';
import { worldFileFor } from '../sandbox/world/schema.ts';
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
  await measure('az_outage', spec, { seed: SEED });
  // The serverless world's game day, remediation on: the throttling runbook's automation fixes it.
  const serverless = await loadExperimentFile(`${PROJECT_DIR}/experiments/lambda-latency.yaml`);
  const summary = await measure('lambda_latency', serverless, {
    seed: 1,
    world: worldFileFor(serverless.service),
    remediation: true,
  });
  const report = JSON.parse(await readFile(summary.reports!.json, 'utf8'));
  const remediation = report.remediations[0];
  if (remediation?.verification?.at && remediation.trigger?.at) {
    figure(
      'gameday.lambda_latency.alarm_to_verified',
      (Date.parse(remediation.verification.at) - Date.parse(remediation.trigger.at)) / 1000,
      's (virtual)',
    );
  }
  figure(
    'gameday.lambda_latency.remediations_resolved',
    summary.remediations.filter((r) => r.outcome === 'resolved').length,
    'runs',
  );
}

/** Runs one game day in a fresh in-process stack and prints its wall and virtual time. */
async function measure(
  name: string,
  spec: ExperimentSpec,
  opts: { seed: number; world?: string; remediation?: boolean },
): Promise<GameDaySummary> {
  const quiet = { out: () => {}, err: () => {} };
  const t0 = performance.now();
  const stack = await startLocal({ seed: opts.seed, start: DEFAULT_EPOCH, time: 'fast', world: opts.world });
  try {
    if (opts.remediation) await switchRemediation(stack, 'on');
    const started = performance.now();
    const virtualStart = stack.clock.now();
    const summary = await runGameDay(
      spec,
      { dryRun: false, out: `${PROJECT_DIR}/.faultline/bench-reports`, json: true, stage: 'dev' },
      stack,
      quiet,
    );
    const virtualMinutes = (stack.clock.now() - virtualStart) / 60_000;
    figure(`gameday.${name}.wall_time`, (performance.now() - started) / 1000, 's');
    figure(`gameday.${name}.wall_time_with_sandbox_start`, (performance.now() - t0) / 1000, 's');
    figure(`gameday.${name}.virtual_time`, virtualMinutes, 'min');
    figure(`gameday.${name}.speedup`, (virtualMinutes * 60_000) / (performance.now() - started), 'x');
    process.stderr.write(
      `# game day ${summary.incidentId}: ${summary.status}, experiment ${summary.experiment.finalStatus}\n`,
    );
    return summary;
  } finally {
    await stack.close();
  }
}
