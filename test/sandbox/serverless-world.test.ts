import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { meanOf } from '../../sandbox/world/latency.ts';
import { loadWorldFile, parseWorld, worldFileOf } from '../../sandbox/world/schema.ts';
import {
  computeServerless,
  NO_FAULTS,
  type ServerlessConditions,
} from '../../sandbox/world/serverless-traffic.ts';

/** The orders function at rest: 300 rps, p99 180 ms, 100 reserved, a 3 s timeout. */
const orders: ServerlessConditions = {
  offeredRps: 300,
  concurrencyLimit: 100,
  timeoutMs: 3000,
  durationP99Ms: 180,
  isolatedRatio: 0,
  baselineErrorRatio: 0,
  latencyFactor: 1,
  apiOverheadMs: 12,
  faults: NO_FAULTS,
};

const meanDurationMs = (r: ReturnType<typeof computeServerless>) =>
  r.durations.reduce((s, p) => s + p.weight * meanOf(p.dist), 0) / r.invocations;

describe('the serverless traffic model', () => {
  it("keeps rps × mean duration executions busy (Little's law) and serves everything under the limit", () => {
    const r = computeServerless(orders);
    expect(r.invocations).toBeCloseTo(300, 6);
    expect(r.throttles).toBe(0);
    expect(r.api5xx).toBeCloseTo(0, 6);
    expect(r.concurrency).toBeCloseTo((300 * meanDurationMs(r)) / 1000, 6);
    expect(r.concurrency).toBeGreaterThan(15);
    expect(r.concurrency).toBeLessThan(30);
  });

  it('throttles what exceeds the reserved concurrency; API Gateway answers it with 5xx, and a higher limit serves it', () => {
    const slow = { ...orders, faults: { ...NO_FAULTS, delay: { ratio: 0.3, delayMs: 1000 } } };
    const r = computeServerless(slow);
    const demand = (300 * (0.7 * 67 + 0.3 * 1067)) / 1000;
    expect(r.concurrency).toBe(100);
    // The admitted share is limit / demand: about 1 − 100/110 throttled.
    expect(r.throttles / r.requests).toBeCloseTo(1 - 100 / demand, 1);
    expect(r.api5xx).toBeCloseTo(r.throttles, 6);
    expect(r.invocations + r.throttles).toBeCloseTo(300, 6);
    const raised = computeServerless({ ...slow, concurrencyLimit: 250 });
    expect(raised.throttles).toBe(0);
    expect(raised.concurrency).toBeGreaterThan(100);
  });

  it('fails invocations that run past the timeout, at exactly the timeout, and ties up executions while they do', () => {
    const r = computeServerless({
      ...orders,
      concurrencyLimit: 1000,
      faults: { ...NO_FAULTS, delay: { ratio: 0.5, delayMs: 5000 } },
    });
    expect(r.errors / r.invocations).toBeCloseTo(0.5, 2);
    const timedOut = r.durations.filter((p) => p.dist.medianMs === 3000);
    expect(timedOut.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(150, 0);
    expect(r.concurrency).toBeGreaterThan(300 * 0.5 * 3);
  });

  it('injected errors and integration responses: errors are Lambda errors and 5xx, a 4xx response is neither', () => {
    const errors = computeServerless({
      ...orders,
      faults: { ...NO_FAULTS, error: { ratio: 0.1, preventExecution: true } },
    });
    expect(errors.errors / errors.invocations).toBeCloseTo(0.1, 6);
    expect(errors.api5xx / errors.requests).toBeCloseTo(0.1, 6);
    // Not run: those invocations reach no table.
    expect(errors.completed).toBeCloseTo(270, 6);
    const teapot = computeServerless({
      ...orders,
      faults: { ...NO_FAULTS, http: { ratio: 0.2, statusCode: 418, preventExecution: false } },
    });
    expect(teapot.api4xx / teapot.requests).toBeCloseTo(0.2, 6);
    expect(teapot.errors).toBeCloseTo(0, 6);
    expect(teapot.completed).toBeCloseTo(300, 6);
  });

  it('invocations on ENIs cut off from DynamoDB time out', () => {
    const r = computeServerless({ ...orders, isolatedRatio: 1 / 3 });
    expect(r.throttles).toBeGreaterThan(0);
    // 100 rps held for 3 s each want 300 executions: the limit is all theirs and more.
    expect(r.concurrency).toBe(100);
    expect(r.api5xx / r.requests).toBeGreaterThan(0.6);
  });
});

describe('a serverless world file', () => {
  it('has its serverless section instead of the fleet, and says which section does not belong', async () => {
    const orders = await loadWorldFile(worldFileOf('orders'));
    expect(orders.serverless?.function).toMatchObject({ name: 'orders-api', reservedConcurrency: 100 });
    expect(orders.loadBalancer).toBeUndefined();
    const raw = parse(await readFile(worldFileOf('orders'), 'utf8'));
    expect(() => parseWorld({ ...raw, loadBalancer: { name: 'orders-alb' } }, 'orders.yaml')).toThrow(
      'orders.yaml: loadBalancer: belongs to an EC2 fleet; a serverless world has none',
    );
    const { serverless: _, ...fleetless } = raw;
    expect(() => parseWorld(fleetless, 'orders.yaml')).toThrow(
      'orders.yaml: loadBalancer: is required (or a serverless section instead of the fleet)',
    );
    expect(() =>
      parseWorld(
        {
          ...raw,
          serverless: {
            ...raw.serverless,
            table: { ...raw.serverless.table, replicaRegions: ['us-east-1'] },
          },
        },
        'orders.yaml',
      ),
    ).toThrow(
      "orders.yaml: serverless.table.replicaRegions: lists the world's own region; replicas live in other ones",
    );
  });
});
