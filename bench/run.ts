// faultline's benchmarks. Prints one `name value unit` line per figure; `npm run bench`.
// Each figure runs in this process on the machine at hand (the bundle suite loads handlers in fresh
// processes): compare runs on the same machine.
import { performance } from 'node:perf_hooks';
import { bundleBench } from './bundle.ts';
import { gameDayBench } from './gameday.ts';
import { remediationBench } from './remediation.ts';
import { reportBench } from './report.ts';

const only = process.argv[2];
const suites: Record<string, () => Promise<void>> = {
  gameday: gameDayBench,
  remediation: remediationBench,
  report: reportBench,
  bundle: bundleBench,
};

for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  const t0 = performance.now();
  await run();
  process.stderr.write(`# ${name} suite took ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
