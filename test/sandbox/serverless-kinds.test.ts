import { FisClient, StopExperimentCommand } from '@aws-sdk/client-fis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { worldFileOf } from '../../sandbox/world/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { advanceToRunning, getExperiment, startFrom } from './fis-helpers.ts';

/** FIS's Lambda and DynamoDB actions, and a subnet disruption, against the shipped serverless world. */

const MINUTE = 60_000;
const FN = { FunctionName: 'orders-api' };
const REPLICA = { TableName: 'orders', ReceivingRegion: 'us-west-2' };
const FUNCTIONS = {
  resourceType: 'aws:lambda:function',
  resourceTags: { Service: 'orders' },
  selectionMode: 'ALL',
};

describe('FIS on the serverless world: Lambda functions, DynamoDB global tables, the functions’ subnets', () => {
  let sb: Sandbox;
  let fis: FisClient;

  beforeAll(async () => {
    const started = await startSandbox({ world: worldFileOf('orders') });
    sb = started.sb;
    fis = new FisClient(started.config);
  });
  afterAll(async () => {
    await sb?.close();
  });

  /** The last whole minute's datapoint of a metric. */
  const last = (namespace: string, metricName: string, dimensions: Record<string, string>) =>
    sb.core.metrics.points({ namespace, metricName, dimensions }, 0, Number.POSITIVE_INFINITY).at(-1)!;
  const toMinute = () => sb.clock.advance(MINUTE - (sb.clock.now() % MINUTE) + 1);

  it('fails the share of invocations invocation-error names for its duration, then none', async () => {
    const id = await startFrom(fis, {
      targets: { fn: FUNCTIONS },
      actions: {
        fail: {
          actionId: 'aws:lambda:invocation-error',
          parameters: { duration: 'PT3M', invocationPercentage: '20', preventExecution: 'true' },
          targets: { Functions: 'fn' },
        },
      },
    });
    await advanceToRunning(sb);
    await toMinute();
    await sb.clock.advance(MINUTE);
    const failing = last('AWS/Lambda', 'Errors', FN).sum / last('AWS/Lambda', 'Invocations', FN).sum;
    expect(failing).toBeGreaterThan(0.18);
    expect(failing).toBeLessThan(0.22);
    expect(last('AWS/ApiGateway', '5XXError', { ApiName: 'orders-api' }).sum).toBeGreaterThan(3000);
    await sb.clock.advance(3 * MINUTE);
    expect((await getExperiment(fis, id)).state?.status).toBe('completed');
    expect(last('AWS/Lambda', 'Errors', FN).sum).toBeLessThan(50);
  });

  it('delays invocations: the duration grows by the delay, and past the reserved concurrency Lambda throttles', async () => {
    const id = await startFrom(fis, {
      targets: { fn: FUNCTIONS },
      actions: {
        delay: {
          actionId: 'aws:lambda:invocation-add-delay',
          parameters: { duration: 'PT10M', invocationPercentage: '30', startupDelayMilliseconds: '1000' },
          targets: { Functions: 'fn' },
        },
      },
    });
    await advanceToRunning(sb);
    await toMinute();
    await sb.clock.advance(MINUTE);
    expect(last('AWS/Lambda', 'Duration', FN).percentiles!.p99).toBeGreaterThan(1000);
    expect(last('AWS/Lambda', 'ConcurrentExecutions', FN).max).toBe(100);
    expect(last('AWS/Lambda', 'Throttles', FN).sum).toBeGreaterThan(600);
    // Stopped: the delay ends at once (the rollback).
    await fis.send(new StopExperimentCommand({ id }));
    await sb.clock.advance(2 * MINUTE);
    expect((await getExperiment(fis, id)).state?.status).toBe('stopped');
    expect(last('AWS/Lambda', 'Throttles', FN).sum).toBe(0);
    expect(last('AWS/Lambda', 'Duration', FN).percentiles!.p99).toBeLessThan(300);
  });

  it('pauses replication of the global table: ReplicationLatency grows by the pause, then catches up', async () => {
    await startFrom(fis, {
      targets: {
        table: {
          resourceType: 'aws:dynamodb:global-table',
          resourceTags: { Service: 'orders' },
          selectionMode: 'ALL',
        },
      },
      actions: {
        pause: {
          actionId: 'aws:dynamodb:global-table-pause-replication',
          parameters: { duration: 'PT4M' },
          targets: { Tables: 'table' },
        },
      },
    });
    const before = last('AWS/DynamoDB', 'ReplicationLatency', REPLICA).max;
    expect(before).toBeLessThan(2000);
    await advanceToRunning(sb);
    await toMinute();
    await sb.clock.advance(3 * MINUTE);
    expect(last('AWS/DynamoDB', 'ReplicationLatency', REPLICA).max).toBeGreaterThan(2.5 * MINUTE);
    await sb.clock.advance(3 * MINUTE);
    expect(last('AWS/DynamoDB', 'ReplicationLatency', REPLICA).max).toBeLessThan(2000);
  });

  it("disrupting one AZ's subnets cuts the function's ENIs there off: their invocations time out", async () => {
    const inA = sb.world.subnets().filter((s) => s.az === 'us-east-1a');
    expect(sb.world.serverless!.fn.subnetIds).toEqual(expect.arrayContaining(inA.map((s) => s.id)));
    await startFrom(fis, {
      targets: {
        subnets: {
          resourceType: 'aws:ec2:subnet',
          resourceTags: { Service: 'orders' },
          filters: [{ path: 'AvailabilityZone', values: ['us-east-1a'] }],
          selectionMode: 'ALL',
        },
      },
      actions: {
        cut: {
          actionId: 'aws:network:disrupt-connectivity',
          parameters: { duration: 'PT2M', scope: 'availability-zone' },
          targets: { Subnets: 'subnets' },
        },
      },
    });
    await advanceToRunning(sb);
    expect(inA.every((s) => !sb.world.reachesDynamoDb(s.id))).toBe(true);
    await toMinute();
    await sb.clock.advance(MINUTE);
    expect(last('AWS/Lambda', 'Duration', FN).max).toBeGreaterThanOrEqual(3000);
    expect(last('AWS/Lambda', 'Errors', FN).sum).toBeGreaterThan(1000);
    await sb.clock.advance(2 * MINUTE);
    expect(inA.every((s) => sb.world.reachesDynamoDb(s.id))).toBe(true);
  });
});
