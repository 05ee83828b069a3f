import { describe, expect, it } from 'vitest';
import { MetricStore } from '../../sandbox/backends/metrics.ts';
import { VirtualClock } from '../../sandbox/clock.ts';
import { EventBus } from '../../sandbox/events.ts';
import { Rng } from '../../sandbox/rng.ts';
import { type ContainersDefinition, containersSchema, EcsService } from '../../sandbox/world/ecs.ts';
import { WORLD_ACTIONS } from '../../sandbox/world/kinds/registry.ts';
import { combineImpacts } from '../../sandbox/world/part.ts';
import { parseWorld } from '../../sandbox/world/schema.ts';
import { computeTraffic } from '../../sandbox/world/traffic.ts';

/** The world's session cache and ECS service as pure pieces: their sections of the world file, the impact they have, the parameters the world refuses. */

const BASE = {
  name: 't',
  region: 'us-east-1',
  accountId: '123456789012',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  service: {
    name: 's',
    instancesPerAz: 1,
    capacityPerInstanceRps: 100,
    baselineRps: 50,
    baseLatencyP99Ms: 100,
  },
  loadBalancer: { name: 'lb' },
};

describe('the world file', () => {
  it('names a cache or container AZ the world does not have, and a Multi-AZ cache with no replica', () => {
    expect(() =>
      parseWorld({
        ...BASE,
        cache: { replicationGroupId: 'c', primaryAz: 'us-east-1a', replicaAzs: ['us-east-1z'] },
      }),
    ).toThrow("(world): cache.replicaAzs: 'us-east-1z' is not one of availabilityZones");
    expect(() =>
      parseWorld({ ...BASE, cache: { replicationGroupId: 'c', primaryAz: 'us-east-1a' } }),
    ).toThrow('(world): cache.multiAz: needs at least one replica (replicaAzs) to fail over to');
    expect(() =>
      parseWorld({
        ...BASE,
        containers: { cluster: 'k', service: 'p', availabilityZones: ['us-east-1c'], tasksPerAz: 1 },
      }),
    ).toThrow("(world): containers.availabilityZones: 'us-east-1c' is not one of availabilityZones");
    expect(
      parseWorld({ ...BASE, cache: { replicationGroupId: 'c', primaryAz: 'us-east-1a', multiAz: false } })
        .cache,
    ).toMatchObject({ replicaAzs: [], fallback: { addedLatencyMs: 40, errorPercent: 0.5 } });
  });
});

describe('what the dependencies do to the requests', () => {
  it('adds their errors as failed handled requests and their delay to p99', () => {
    const c = {
      offeredRps: 100,
      routedTargets: 2,
      routedServing: 2,
      capacityPerInstanceRps: 1000,
      baseLatencyP99Ms: 100,
      baselineErrorRatio: 0,
      writeFailureRatio: 0,
      latencyFactor: 1,
    };
    const plain = computeTraffic(c);
    const impaired = computeTraffic({
      ...c,
      dependencies: combineImpacts([
        { errorRatio: 0.1, addedLatencyMs: 40 },
        { errorRatio: 0.5, addedLatencyMs: 200 },
      ]),
    });
    // A request fails when either fails it: 1 − 0.9 × 0.5.
    expect(impaired.target5xx).toBeCloseTo(55, 9);
    // p99 is three times the median: 240 ms more at p99 is 80 more at the median.
    expect(impaired.latency.medianMs - plain.latency.medianMs).toBeCloseTo(80, 6);
    expect(impaired.elb5xx).toBe(plain.elb5xx);
  });

  function service(change: Partial<ContainersDefinition> = {}): EcsService {
    const clock = VirtualClock.createPrivate();
    return new EcsService(
      containersSchema.parse({
        cluster: 'k',
        service: 'p',
        availabilityZones: ['a', 'b', 'c'],
        tasksPerAz: 2,
        ...change,
      }),
      {
        clock,
        rng: new Rng(1).stream('ecs'),
        bus: new EventBus({ account: '123456789012', region: 'us-east-1', now: () => clock.now() }),
        metrics: new MetricStore(),
        arn: (svc, res) => `arn:aws:${svc}:us-east-1:123456789012:${res}`,
        azReachable: (az) => az !== 'c',
        serviceTags: {},
      },
    );
  }

  it('sheds the calls its serving tasks cannot carry, and fails them all with none', () => {
    // 480 rps × 0.3 = 144 calls/s; c is cut off, so four tasks of 60 carry them (240).
    const svc = service();
    expect(svc.impact(480)).toEqual({ errorRatio: 0, addedLatencyMs: 0 });
    svc.stopTasks(
      svc
        .tasks()
        .filter((t) => t.az === 'a')
        .map((t) => t.id),
      'test',
    );
    // Two tasks: 120 of 144 calls/s, a sixth shed, of the 30 % that call it.
    expect(svc.impact(480).errorRatio).toBeCloseTo(0.3 * (1 - 120 / 144), 9);
    svc.stopTasks(
      svc.tasks().map((t) => t.id),
      'test',
    );
    expect(svc.impact(480)).toEqual({ errorRatio: 0.3, addedLatencyMs: 0 });
  });

  it("shows a task's delay in p99 only once it touches more than 1 % of the requests", () => {
    const svc = service({ requestShare: 0.05 });
    const [one] = svc.tasks();
    svc.addFault([one!.id], { callFailure: 0, addedMs: 200, flows: 1 });
    // 5 % over four serving tasks: 1.25 % of the requests go to the slow one.
    expect(svc.impact(100).addedLatencyMs).toBe(200);
    const remove = svc.addFault([one!.id], { callFailure: 0, addedMs: 500, flows: 0.5 });
    expect(svc.impact(100).addedLatencyMs).toBe(200);
    remove();
    expect([...one!.faults]).toHaveLength(1);
  });
});

describe('ECS task faults the world does not model', () => {
  const check = (action: string, parameters: Record<string, string>) =>
    WORLD_ACTIONS[action]!.checkParameters?.(parameters).map((p) => `${p.path.join('.')}: ${p.detail}`) ?? [];

  it('refuses sources other than the callers, and an egress blackhole, each in one line that says it runs on AWS', () => {
    expect(check('aws:ecs:task-network-packet-loss', { duration: 'PT1M', sources: '0.0.0.0/0' })).toEqual([]);
    expect(check('aws:ecs:task-network-latency', { duration: 'PT1M', sources: '10.0.0.0/8,S3' })).toEqual([]);
    expect(check('aws:ecs:task-network-packet-loss', { duration: 'PT1M' })).toEqual([]);
    expect(
      check('aws:ecs:task-network-packet-loss', { duration: 'PT1M', sources: 'DYNAMODB,10.1.0.0/16' }),
    ).toEqual([
      "parameters.sources: DYNAMODB,10.1.0.0/16 is traffic the sandbox's world does not model (it runs on AWS); the world models the tasks' traffic with their callers: ALL, 0.0.0.0/0 or a CIDR that covers 10.0.0.0/16",
    ]);
    expect(
      check('aws:ecs:task-network-blackhole-port', { duration: 'PT1M', port: '443', trafficType: 'egress' }),
    ).toHaveLength(1);
    expect(
      check('aws:ecs:task-network-blackhole-port', {
        duration: 'PT1M',
        port: '8080',
        trafficType: 'ingress',
      }),
    ).toEqual([]);
    expect(WORLD_ACTIONS['aws:ecs:task-io-stress']).toBeUndefined();
  });
});
