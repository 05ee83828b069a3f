// faultline's benchmarks. Prints one `name value unit` line per figure; `npm run bench`.
// Each figure runs in this process on the machine at hand (the bundle suite loads handlers in fresh
// processes, the cli suite runs the command in fresh processes): compare runs on the same machine.
// `npm run bench -- cli` runs one suite.
import { performance } from 'node:perf_hooks';

// The functions run in this process and log as they would to CloudWatch Logs, between the figures;
// as in bin/faultline.js, critical errors only unless asked. The logger reads its level when it is
// loaded, so the suites are imported after.
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
const { bundleBench } = await import('./bundle.ts');
const { cliBench } = await import('./cli.ts');
const { filesBench } = await import('./files.ts');
const { gameDayBench } = await import('./gameday.ts');
const { libraryBench } = await import('./library.ts');
const { remediationBench } = await import('./remediation.ts');
const { reportBench } = await import('./report.ts');
const { sandboxBench } = await import('./sandbox.ts');
const { scorecardBench } = await import('./scorecard.ts');

const only = process.argv[2];
const suites: Record<string, () => Promise<void>> = {
  gameday: gameDayBench,
  remediation: remediationBench,
  report: reportBench,
  scorecard: scorecardBench,
  sandbox: sandboxBench,
  bundle: bundleBench,
  files: filesBench,
  cli: cliBench,
  library: libraryBench,
};

for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  const t0 = performance.now();
  await run();
  process.stderr.write(`# ${name} suite took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
