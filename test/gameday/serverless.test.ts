import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runGameDay } from '../../cli/actions/gameday.ts';
import { switchRemediation } from '../../cli/remediation-switch.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { worldFileFor } from '../../sandbox/world/schema.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';

/**
 * The serverless game day as `faultline gameday lambda-latency` runs it, remediation on: the
 * delay makes orders-api need more executions than it has reserved, Lambda throttles, the alarm
 * starts the lambda-throttling runbook, its automation raises the reserved concurrency, and the
 * throttling ends while the delay goes on.
 */
let stack: LocalStack | undefined;
let out: string | undefined;
afterAll(async () => {
  await stack?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

it('lambda latency with remediation: throttled, the runbook raises the reserved concurrency, the API serves again', async () => {
  out = await mkdtemp(join(tmpdir(), 'faultline-serverless-'));
  const experiment = await loadExperimentFile(join(PROJECT_DIR, 'experiments', 'lambda-latency.yaml'));
  stack = await startLocal({
    seed: 1,
    start: DEFAULT_EPOCH,
    time: 'fast',
    world: worldFileFor(experiment.service),
  });
  await switchRemediation(stack, 'on');
  const fn = stack.sandbox.world.serverless!.fn;
  expect(fn.reservedConcurrency).toBe(100);
  const summary = await runGameDay(experiment, { dryRun: false, out, json: true, stage: 'dev' }, stack, {
    out: () => {},
    err: () => {},
  });
  expect(summary.status).toBe('completed');
  expect(summary.experiment.finalStatus).toBe('completed');
  expect(summary.remediations.map((r) => [r.runbook, r.action, r.status, r.outcome])).toEqual([
    ['lambda-throttling', 'Faultline-RaiseFunctionConcurrency', 'SUCCEEDED', 'resolved'],
  ]);
  expect(fn.reservedConcurrency).toBe(250);

  const report = JSON.parse(await readFile(summary.reports!.json, 'utf8'));
  // Throttled 5xx before the runbook acted: the hypothesis deviated, and recovery came before the fault ended.
  expect(report.verdict.hypothesis).toBe('deviated');
  expect(summary.verdict).toMatchObject({ rto: { met: true } });
  // The report samples and charts the function's concurrency: pinned at its limit, then above it.
  const concurrency = report.minutes.map(
    (m: { sample: { concurrency?: number } | null }) => m.sample?.concurrency,
  );
  expect(concurrency).toContain(100);
  expect(Math.max(...concurrency.filter((c: unknown) => typeof c === 'number'))).toBeGreaterThan(100);
  const html = await readFile(summary.reports!.html, 'utf8');
  expect(html).toContain('Concurrent executions');
  // Its extra metrics are sampled with the others and charted, the throttles alarm's threshold across theirs.
  const extra = report.minutes.flatMap(
    (m: { sample: { extra?: Record<string, number | null> } | null }) => m.sample?.extra ?? [],
  );
  expect(extra.length).toBeGreaterThan(5);
  expect(
    Math.max(...extra.map((e: Record<string, number | null>) => e['lambda-throttles'] ?? 0)),
  ).toBeGreaterThan(1000);
  expect(
    Math.max(...extra.map((e: Record<string, number | null>) => e['lambda-duration'] ?? 0)),
  ).toBeGreaterThan(200);
  expect(html).toContain('Lambda throttles (per minute)');
  expect(html).toContain('alarm orders-lambda-throttles &gt; 60');

  const points = (metricName: string) =>
    stack!.sandbox.core.metrics.points(
      { namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: 'orders-api' } },
      0,
      Number.POSITIVE_INFINITY,
    );
  const remediatedAt = Date.parse(report.remediations[0].verification.at);
  const throttles = points('Throttles');
  const before = throttles.filter((p) => p.timestamp < remediatedAt - 60_000);
  const after = throttles.filter((p) => p.timestamp > remediatedAt);
  expect(Math.max(...before.map((p) => p.sum))).toBeGreaterThan(1000);
  expect(after.length).toBeGreaterThan(5);
  expect(after.every((p) => p.sum === 0)).toBe(true);
  // Still delayed while the fault lasts, now with room for it: more than 100 executions at once.
  expect(
    Math.max(
      ...points('ConcurrentExecutions')
        .filter((p) => p.timestamp > remediatedAt)
        .map((p) => p.max),
    ),
  ).toBeGreaterThan(100);
});
