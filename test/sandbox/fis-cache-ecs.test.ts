import { FisClient, StopExperimentCommand } from '@aws-sdk/client-fis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { loadWorldFile } from '../../sandbox/world/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { advanceToRunning, getExperiment, startFrom } from './fis-helpers.ts';

/** The world's ElastiCache replication group and ECS service on Fargate, and the FIS actions on them. */

const MINUTE = 60_000;

describe('FIS actions on the session cache and the ECS payments service', () => {
  let sb: Sandbox;
  let fis: FisClient;

  afterEach(async () => {
    await sb?.close();
  });

  async function open(): Promise<void> {
    // No Auto Scaling group: nothing else in the world changes while the cache or the tasks do.
    const started = await startSandbox({ world: { ...(await loadWorldFile()), autoScaling: undefined } });
    sb = started.sb;
    fis = new FisClient(started.config);
  }

  const isMaster = (node: string, at: number) =>
    sb.core.metrics.points(
      {
        namespace: 'AWS/ElastiCache',
        metricName: 'IsMaster',
        dimensions: { CacheClusterId: node, CacheNodeId: '0001' },
      },
      at,
      at + 1,
    )[0];

  const interruptCachePower = (duration: string) =>
    startFrom(fis, {
      targets: {
        cache: {
          resourceType: 'aws:elasticache:replicationgroup',
          resourceTags: { ChaosReady: 'true' },
          // FIS takes the AZ by its id as well as by its name.
          parameters: { availabilityZoneIdentifier: 'use1-az1' },
          selectionMode: 'ALL',
        },
      },
      actions: {
        power: {
          actionId: 'aws:elasticache:replicationgroup-interrupt-az-power',
          parameters: { duration },
          targets: { ReplicationGroups: 'cache' },
        },
      },
    });

  it("cuts the power in one AZ: the primary fails over to a replica elsewhere, checkout's sessions fall back meanwhile, the nodes return as replicas", async () => {
    await open();
    const cache = sb.world.cache!;
    const id = await interruptCachePower('PT5M');
    await advanceToRunning(sb);
    expect(cache.nodes.map((n) => [n.id, n.az, n.role, n.powered])).toEqual([
      ['checkout-sessions-001', 'us-east-1a', 'primary', false],
      ['checkout-sessions-002', 'us-east-1b', 'replica', true],
      ['checkout-sessions-003', 'us-east-1c', 'replica', true],
    ]);
    expect(cache.impact()).toEqual({ errorRatio: 0.005, addedLatencyMs: 40 });
    // Multi-AZ: a replica in another AZ takes over within failoverSeconds (20-60 s).
    await sb.clock.advance(MINUTE);
    expect(cache.primary()!.id).toBe('checkout-sessions-002');
    expect(cache.failovers).toBe(1);
    expect(cache.impact()).toEqual({ errorRatio: 0, addedLatencyMs: 0 });

    await sb.clock.advance(5 * MINUTE);
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
    expect(cache.nodes.map((n) => [n.role, n.powered])).toEqual([
      ['replica', true],
      ['primary', true],
      ['replica', true],
    ]);
    // The failover shows in IsMaster: 002 became the primary within the first minute; 001 published
    // nothing while it had no power.
    const start = Date.parse('2026-01-05T09:00:00Z');
    expect(isMaster('checkout-sessions-002', start)).toMatchObject({ min: 0, max: 1 });
    expect(isMaster('checkout-sessions-002', start + 2 * MINUTE)).toMatchObject({ min: 1, max: 1 });
    expect(isMaster('checkout-sessions-001', start + 2 * MINUTE)).toBeUndefined();
  });

  it('gives the power back when the experiment is stopped, before the duration is up', async () => {
    await open();
    const id = await interruptCachePower('PT30M');
    await advanceToRunning(sb);
    await sb.clock.advance(2 * MINUTE);
    expect(sb.world.cache!.nodes[0]!.powered).toBe(false);
    await fis.send(new StopExperimentCommand({ id }));
    await sb.clock.advance(10_000);
    expect((await getExperiment(fis, id)).state!.status).toBe('stopped');
    expect(sb.world.cache!.nodes.map((n) => n.powered)).toEqual([true, true, true]);
  });

  it("stops the AZ's tasks picked by tag and AZ filter; the service scheduler replaces them", async () => {
    await open();
    const svc = sb.world.containers!;
    const inA = svc.tasks().filter((t) => t.az === 'us-east-1a');
    expect(svc.tasks()).toHaveLength(6);
    const id = await startFrom(fis, {
      targets: {
        tasks: {
          resourceType: 'aws:ecs:task',
          resourceTags: { ChaosReady: 'true' },
          parameters: { cluster: 'checkout', service: 'checkout-payments' },
          filters: [{ path: 'AvailabilityZone', values: ['us-east-1a'] }],
          selectionMode: 'ALL',
        },
      },
      actions: { stop: { actionId: 'aws:ecs:stop-task', targets: { Tasks: 'tasks' } } },
    });
    await advanceToRunning(sb);
    const exp = await getExperiment(fis, id);
    expect(exp.state!.status).toBe('completed');
    expect(inA.map((t) => svc.task(t.id)!.desiredStatus)).toEqual(['STOPPED', 'STOPPED']);
    expect(inA.map((t) => svc.task(t.id)!.stoppedReason)).toEqual(
      Array(2).fill(`User initiated (AWS FIS experiment ${id})`),
    );
    await sb.clock.advance(2 * MINUTE);
    const running = svc.tasks().filter((t) => t.lastStatus === 'RUNNING');
    expect(running).toHaveLength(6);
    // The scheduler spreads tasks over the AZs: the replacements go where tasks are missing.
    expect(running.filter((t) => t.az === 'us-east-1a').map((t) => t.id)).not.toEqual(inA.map((t) => t.id));
    expect(running.filter((t) => t.az === 'us-east-1a')).toHaveLength(2);
    const changes = sb.core.bus.all().filter((e) => e['detail-type'] === 'ECS Task State Change');
    expect(changes.map((e) => e.detail.lastStatus)).toEqual(
      expect.arrayContaining(['STOPPING', 'STOPPED', 'PROVISIONING', 'RUNNING']),
    );
    const runningCount = sb.core.metrics.points(
      {
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensions: { ClusterName: 'checkout', ServiceName: 'checkout-payments' },
      },
      0,
      Number.MAX_SAFE_INTEGER,
    );
    expect(Math.min(...runningCount.map((p) => p.min))).toBe(4);
    expect(runningCount.at(-1)!.max).toBe(6);
  });

  it('drops the packets of the targeted tasks only for the duration: calls on them fail meanwhile', async () => {
    await open();
    const svc = sb.world.containers!;
    await startFrom(fis, {
      targets: {
        tasks: {
          resourceType: 'aws:ecs:task',
          resourceTags: { Service: 'checkout' },
          filters: [{ path: 'AvailabilityZone', values: ['us-east-1b'] }],
          selectionMode: 'ALL',
        },
      },
      actions: {
        loss: {
          actionId: 'aws:ecs:task-network-packet-loss',
          parameters: { duration: 'PT2M', lossPercent: '100', sources: '0.0.0.0/0' },
          targets: { Tasks: 'tasks' },
        },
      },
    });
    await advanceToRunning(sb);
    // Two of six tasks answer nothing: a third of the payment calls (30 % of checkout's requests) fail.
    expect(svc.impact(480).errorRatio).toBeCloseTo(0.1, 5);
    expect(
      svc
        .tasks()
        .filter((t) => t.faults.size > 0)
        .map((t) => t.az),
    ).toEqual(['us-east-1b', 'us-east-1b']);
    await sb.clock.advance(2 * MINUTE);
    expect(svc.impact(480)).toEqual({ errorRatio: 0, addedLatencyMs: 0 });
    expect(svc.tasks().every((t) => t.lastStatus === 'RUNNING')).toBe(true);
  });
});
