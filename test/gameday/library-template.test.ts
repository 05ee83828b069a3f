import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runGameDay } from '../../cli/actions/gameday.ts';
import { SANDBOX_FOR_PEOPLE } from '../../cli/sandbox-runtime.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { importTemplate } from '../../src/experiments/import-template.ts';
import { filled, pointAtWorld, sideFor, templatesIn } from '../helpers/template-library.ts';

/**
 * One of aws-samples/fis-template-library's templates as `faultline gameday --template … --spec …`
 * runs it in the sandbox: the Aurora cluster failover, with the generic side file (the service's
 * availability alarm, an RTO) and no blast-radius limit (the template targets a cluster, which
 * the limit cannot count). The report's samples show what the failover did to the service.
 */
let stack: LocalStack | undefined;
let out: string | undefined;
afterAll(async () => {
  await stack?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

it('the library aurora-cluster-failover template as a game day: the failover shows in the report', async () => {
  out = await mkdtemp(join(tmpdir(), 'faultline-library-'));
  const name = 'aurora-cluster-failover/aurora-cluster-failover-template.json';
  const { text } = (await templatesIn()).find((t) => t.name === name)!;
  stack = await startLocal({ seed: 1, start: DEFAULT_EPOCH, time: 'fast' });
  const world = stack.sandbox.world;
  const spec = importTemplate(
    pointAtWorld(filled(text), world),
    { ...sideFor('checkout'), guardrails: { maxBlastRadiusPercent: 100 } },
    { template: name, spec: 'side.yaml' },
    { runtime: SANDBOX_FOR_PEOPLE },
  );
  const summary = await runGameDay(spec, { dryRun: false, out, json: true, stage: 'dev' }, stack, {
    out: () => {},
    err: () => {},
  });
  expect([summary.status, summary.experiment.finalStatus]).toEqual(['completed', 'completed']);
  expect(world.dbCluster('checkout-db')).toMatchObject({ failovers: 1 });

  const report = JSON.parse(await readFile(summary.reports!.json, 'utf8'));
  const samples = report.minutes.flatMap((m: { sample: unknown }) => (m.sample ? [m.sample] : [])) as {
    replicaLagMs: number | null;
    errorRatePercent: number | null;
  }[];
  // The failover starts in the first minute: the replica is left seconds behind and the writes
  // in flight while the writer moves fail; once it is over, it trails by milliseconds again.
  const [first, last] = [samples[0]!, samples.at(-1)!];
  expect(first.replicaLagMs).toBeGreaterThan(5000);
  expect(first.errorRatePercent).toBeGreaterThan(5);
  expect(last.replicaLagMs).toBeLessThan(1000);
  expect(last.errorRatePercent).toBeLessThan(1);
  expect(report.verdict.rto.met).toBe(true);
});
