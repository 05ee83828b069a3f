import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Datapoint, MetricStore } from '../../sandbox/backends/metrics.ts';
import { VirtualClock } from '../../sandbox/clock.ts';
import { EventBus } from '../../sandbox/events.ts';
import { Rng } from '../../sandbox/rng.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { loadWorldFile, parseWorld, type WorldDefinition } from '../../sandbox/world/schema.ts';
import { World } from '../../sandbox/world/world.ts';
import { startSandbox } from '../helpers/sandbox.ts';

const MINUTE = 60_000;
const LB = { LoadBalancer: 'app/checkout-alb/50dc6c495c0c9188' };
const TG = { TargetGroup: 'targetgroup/checkout-tg/73e2d6bc24d8a067', ...LB };
const SERVICE = { Service: 'checkout' };
const DB = { DBClusterIdentifier: 'checkout-db' };

let checkout: WorldDefinition;
beforeAll(async () => {
  checkout = await loadWorldFile();
});

interface Harness {
  world: World;
  clock: VirtualClock;
  metrics: MetricStore;
  bus: EventBus;
  /** Virtual time the world started at. */
  t0: number;
  /** Datapoints of one metric, oldest first. */
  points(namespace: string, metricName: string, dimensions: Record<string, string>): Datapoint[];
  /** Datapoints of one metric whose minute starts at or after `from`. */
  since(from: number, namespace: string, metricName: string, dimensions: Record<string, string>): Datapoint[];
}

/** A started world on a private clock, as the sandbox builds it. */
function startWorld(opts: { seed?: number; edit?: (def: WorldDefinition) => void } = {}): Harness {
  const def = structuredClone(checkout);
  opts.edit?.(def);
  const clock = VirtualClock.createPrivate();
  const bus = new EventBus({ account: def.accountId, region: def.region, now: () => clock.now() });
  const metrics = new MetricStore();
  const world = new World(parseWorld(def), { clock, rng: new Rng(opts.seed ?? 1), bus, metrics });
  world.start();
  const points = (namespace: string, metricName: string, dimensions: Record<string, string>) =>
    metrics.points({ namespace, metricName, dimensions }, 0, Number.POSITIVE_INFINITY);
  return {
    world,
    clock,
    metrics,
    bus,
    t0: clock.now(),
    points,
    since: (from, ns, name, dims) => points(ns, name, dims).filter((p) => p.timestamp >= from),
  };
}

const errorRate = (h: Harness, from = 0) => h.since(from, 'Faultline/Service', 'ErrorRate', SERVICE);
const p99 = (h: Harness, from = 0) =>
  h.since(from, 'AWS/ApplicationELB', 'TargetResponseTime', LB).map((p) => p.percentiles?.p99 ?? Number.NaN);
const unhealthy = (h: Harness, from = 0, dims: Record<string, string> = TG) =>
  h.since(from, 'AWS/ApplicationELB', 'UnHealthyHostCount', dims).map((p) => p.max);
const healthyIn = (h: Harness, az: string, from = 0) =>
  h.since(from, 'AWS/ApplicationELB', 'HealthyHostCount', { ...TG, AvailabilityZone: az }).map((p) => p.max);
const lagMax = (h: Harness, from = 0) => h.since(from, 'AWS/RDS', 'AuroraReplicaLag', DB).map((p) => p.max);
const idsIn = (w: World, az: string) =>
  w
    .instances()
    .filter((i) => i.az === az && i.state !== 'terminated')
    .map((i) => i.id);
const subnetsIn = (w: World, az: string) =>
  w
    .subnets()
    .filter((s) => s.az === az)
    .map((s) => s.id);
const launches = (h: Harness) =>
  h.bus.all().filter((e) => e['detail-type'] === 'EC2 Instance Launch Successful');

describe('steady state', () => {
  it('publishes one datapoint per metric per minute, stamped with the minute start, all healthy', async () => {
    const h = startWorld();
    await h.clock.advance(10 * MINUTE);
    const requests = h.points('AWS/ApplicationELB', 'RequestCount', LB);
    expect(requests.map((p) => p.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => h.t0 + i * MINUTE));
    // 480 rps of offered load, with a little noise.
    for (const p of requests) expect(p.sum).toBeGreaterThan(480 * 60 * 0.95);
    for (const p of requests) expect(p.sum).toBeLessThan(480 * 60 * 1.05);
    for (const p of errorRate(h)) expect(p.sum).toBeLessThan(0.5);
    for (const v of p99(h)) expect(v).toBeLessThan(0.5);
    expect(unhealthy(h)).toEqual(Array(10).fill(0));
    expect(h.points('AWS/ApplicationELB', 'HealthyHostCount', TG).map((p) => p.max)).toEqual(
      Array(10).fill(6),
    );
    expect(healthyIn(h, 'us-east-1b')).toEqual(Array(10).fill(2));
    expect(h.points('AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', LB).map((p) => p.sum)).toEqual(
      Array(10).fill(0),
    );
    for (const v of lagMax(h)) expect(v).toBeLessThan(100);
    const availability = h.points('Faultline/Service', 'Availability', SERVICE);
    expect(availability.every((p) => p.sum > 99.5)).toBe(true);
    expect(h.world.endpointHealthy('us-east-1')).toBe(true);
  });

  it('reports TargetResponseTime as a statistic set with percentiles, in seconds', async () => {
    const h = startWorld();
    await h.clock.advance(MINUTE);
    const [trt] = h.points('AWS/ApplicationELB', 'TargetResponseTime', LB);
    const [req] = h.points('AWS/ApplicationELB', 'RequestCount', LB);
    expect(trt?.unit).toBe('Seconds');
    expect(trt?.sampleCount).toBeGreaterThan(0.99 * (req?.sum ?? 0));
    const pct = trt?.percentiles ?? {};
    expect(pct.p50).toBeLessThan(pct.p90 ?? 0);
    expect(pct.p90).toBeLessThan(pct.p99 ?? 0);
    expect(trt?.min).toBeLessThan(pct.p50 ?? 0);
    expect(trt?.max).toBeGreaterThan(pct.p99 ?? 0);
    const mean = (trt?.sum ?? 0) / (trt?.sampleCount ?? 1);
    expect(mean).toBeGreaterThan(pct.p50 ?? 0);
    expect(mean).toBeLessThan(pct.p99 ?? 0);
  });

  it('publishes every metric the default alarms watch', async () => {
    const h = startWorld();
    await h.clock.advance(2 * MINUTE);
    expect(checkout.alarms.map((a) => a.AlarmName)).toEqual([
      'checkout-unhealthy-hosts',
      'checkout-5xx-rate',
      'checkout-p99-latency',
      'checkout-replica-lag',
      'checkout-availability-critical',
    ]);
    for (const alarm of checkout.alarms) {
      const dims = Object.fromEntries(
        (alarm.Dimensions as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
      );
      const pts = h.points(alarm.Namespace as string, alarm.MetricName as string, dims);
      expect(pts, alarm.AlarmName).toHaveLength(2);
      expect(typeof alarm.AlarmDescription).toBe('string');
    }
  });

  it('starts only once', async () => {
    const h = startWorld();
    h.world.start();
    await h.clock.advance(MINUTE);
    expect(h.points('AWS/ApplicationELB', 'RequestCount', LB)).toHaveLength(1);
  });
});

describe('an AZ whose instances are stopped', () => {
  it('is marked unhealthy after three failed checks while the other AZs carry the load', async () => {
    const h = startWorld();
    await h.clock.advance(3 * MINUTE);
    const stoppedAt = h.clock.now();
    const stopped = idsIn(h.world, 'us-east-1a');
    h.world.stopInstances(stopped);
    const stateOf = (id: string) => h.world.targetHealth().targets.find((t) => t.id === id)?.state;

    // Checks run every 30 s: two failures are not enough.
    await h.clock.advance(40_000);
    expect(stopped.map(stateOf)).toEqual(['healthy', 'healthy']);
    await h.clock.advance(55_000);
    expect(stopped.map(stateOf)).toEqual(['unhealthy', 'unhealthy']);
    const view = h.world.targetHealth();
    expect(view.byAz['us-east-1a']).toMatchObject({ healthy: 0, unhealthy: 2 });
    expect(view.byAz['us-east-1b']).toMatchObject({ healthy: 2, unhealthy: 0 });
    expect(view.targets.find((t) => t.id === stopped[0])?.reason).toBe('Target.Timeout');
    expect(h.world.endpointHealthy('us-east-1')).toBe(true);

    await h.clock.advance(2 * MINUTE);
    expect(unhealthy(h, stoppedAt).slice(0, 4)).toContain(2);
    expect(healthyIn(h, 'us-east-1a', stoppedAt).slice(1, 3)).toEqual([0, 0]);
    expect(healthyIn(h, 'us-east-1c', stoppedAt).slice(1, 3)).toEqual([2, 2]);
    // Until the ALB stops routing to them, a third of the requests fail; then the errors stop.
    expect(Math.max(...errorRate(h, stoppedAt).map((p) => p.sum))).toBeGreaterThan(10);
    expect(errorRate(h, stoppedAt)[2]?.sum).toBeLessThan(1);
    // Four instances carry 480 rps: hotter, slower, but under the 1 s alarm and shedding nothing.
    const before = p99(h).slice(0, 3);
    const during = p99(h, stoppedAt + 2 * MINUTE);
    expect(Math.min(...during)).toBeGreaterThan(1.5 * Math.max(...before));
    expect(Math.max(...during)).toBeLessThan(1);
    const target5xx = h.since(stoppedAt + 2 * MINUTE, 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', LB);
    expect(target5xx.every((p) => p.sum < 60)).toBe(true);
  });

  it('is replaced by the Auto Scaling group, which then reports the group healthy again', async () => {
    const h = startWorld();
    await h.clock.advance(MINUTE);
    const stopped = idsIn(h.world, 'us-east-1a');
    h.world.stopInstances(stopped);
    await h.clock.advance(MINUTE);
    const asg = h.world.autoScalingGroup();
    expect(asg?.desiredCapacity).toBe(6);
    expect(asg?.instances.filter((i) => i.healthStatus === 'Unhealthy').map((i) => i.instanceId)).toEqual(
      stopped,
    );
    expect(launches(h)).toHaveLength(0);
    await h.clock.advance(10 * MINUTE);
    expect(stopped.map((id) => h.world.instance(id)?.state)).toEqual(['terminated', 'terminated']);
    const terminations = h.bus.all().filter((e) => e['detail-type'] === 'EC2 Instance Terminate Successful');
    expect(terminations.map((e) => e.detail.EC2InstanceId).sort()).toEqual([...stopped].sort());
    expect(terminations[0]).toMatchObject({
      source: 'aws.autoscaling',
      detail: { StatusCode: 'Successful' },
    });
    const replacements = launches(h).map((e) => e.detail.EC2InstanceId as string);
    expect(replacements).toHaveLength(2);
    expect(replacements.map((id) => h.world.instance(id)?.az)).toEqual(['us-east-1a', 'us-east-1a']);
    expect(h.world.targetHealth()).toMatchObject({ healthy: 6, unhealthy: 0 });
    expect(h.world.autoScalingGroup()?.inService).toBe(6);
    expect(unhealthy(h).at(-1)).toBe(0);
  });

  it('is left alone by a group that does not replace unhealthy instances, and recovers when started', async () => {
    const h = startWorld({
      edit: (d) => {
        d.autoScaling!.replaceUnhealthy = false;
      },
    });
    const stopped = idsIn(h.world, 'us-east-1a');
    h.world.stopInstances(stopped);
    await h.clock.advance(6 * MINUTE);
    expect(launches(h)).toHaveLength(0);
    expect(h.world.targetHealth().byAz['us-east-1a']).toMatchObject({ unhealthy: 2 });
    h.world.startInstances(stopped);
    await h.clock.advance(4 * MINUTE);
    expect(h.world.targetHealth().byAz['us-east-1a']).toMatchObject({ healthy: 2, unhealthy: 0 });
    expect(unhealthy(h).at(-1)).toBe(0);
  });

  it('is not replaced when it is started again before the group acts', async () => {
    const h = startWorld();
    const [id] = idsIn(h.world, 'us-east-1b');
    h.world.stopInstances([id!]);
    await h.clock.advance(70_000);
    expect(h.world.instance(id!)?.state).toBe('stopped');
    h.world.startInstances([id!]);
    await h.clock.advance(6 * MINUTE);
    expect(launches(h)).toHaveLength(0);
    expect(h.world.instance(id!)?.state).toBe('running');
    expect(h.world.targetHealth().healthy).toBe(6);
  });
});

describe('a terminated instance', () => {
  it('is replaced once, after the group delay, and the replacement becomes healthy', async () => {
    const h = startWorld();
    await h.clock.advance(2 * MINUTE);
    const [victim] = idsIn(h.world, 'us-east-1c');
    const killedAt = h.clock.now();
    h.world.terminateInstances([victim!]);
    await h.clock.advance(170_000);
    expect(launches(h)).toHaveLength(0);
    await h.clock.advance(80_000);
    const events = launches(h);
    expect(events).toHaveLength(1);
    const launchedAt = Date.parse(events[0]!.time);
    expect(launchedAt - killedAt).toBeGreaterThanOrEqual(180_000);
    expect(launchedAt - killedAt).toBeLessThanOrEqual(250_000);
    const replacement = h.world.instance(events[0]!.detail.EC2InstanceId as string)!;
    expect(replacement.az).toBe('us-east-1c');
    expect(events[0]!.resources).toContain(replacement.arn);
    expect(events[0]!.detail).toMatchObject({
      AutoScalingGroupName: 'checkout-asg',
      StatusCode: 'InProgress',
    });

    await h.clock.advance(5 * MINUTE);
    expect(h.world.instance(victim!)?.state).toBe('terminated');
    const view = h.world.targetHealth();
    expect(view.targets.some((t) => t.id === victim)).toBe(false);
    expect(view.targets.find((t) => t.id === replacement.id)?.state).toBe('healthy');
    expect(view.healthy).toBe(6);
    expect(launches(h)).toHaveLength(1);
    // Absorbed: one short burst of errors while the ALB still routed to it, latency never near the alarm.
    expect(errorRate(h, killedAt).filter((p) => p.sum > 5).length).toBeLessThanOrEqual(1);
    expect(Math.max(...p99(h, killedAt))).toBeLessThan(0.6);
  });

  it('is replaced in a reachable AZ when its own AZ is cut off', async () => {
    const h = startWorld();
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1a'), 'all', 20 * MINUTE);
    const [victim] = idsIn(h.world, 'us-east-1a');
    h.world.terminateInstances([victim!]);
    await h.clock.advance(5 * MINUTE);
    const events = launches(h);
    expect(events).toHaveLength(1);
    const az = h.world.instance(events[0]!.detail.EC2InstanceId as string)?.az;
    expect(['us-east-1b', 'us-east-1c']).toContain(az);
    expect(
      h.world.autoScalingGroup()?.instances.filter((i) => i.lifecycleState !== 'Terminating'),
    ).toHaveLength(6);
  });

  it('is replaced in the reachable AZ with the fewest instances', async () => {
    const h = startWorld();
    // us-east-1b runs one instance more than us-east-1c, and us-east-1a is cut off.
    h.world.launchInstance('us-east-1b', 'running', true);
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1a'), 'all', 20 * MINUTE);
    h.world.terminateInstances([idsIn(h.world, 'us-east-1a')[0]!]);
    await h.clock.advance(5 * MINUTE);
    const azs = launches(h).map((e) => h.world.instance(e.detail.EC2InstanceId as string)?.az);
    expect(azs).toEqual(['us-east-1c']);
  });
});

describe('a network disruption', () => {
  it('takes the AZ out of the load balancer and puts it back when the disruption ends', async () => {
    const h = startWorld();
    await h.clock.advance(MINUTE);
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1b'), 'all', 4 * MINUTE);
    expect(h.world.azReachable('us-east-1b')).toBe(false);
    await h.clock.advance(2 * MINUTE);
    expect(h.world.targetHealth().byAz['us-east-1b']).toMatchObject({ healthy: 0, unhealthy: 2 });
    await h.clock.advance(2 * MINUTE);
    expect(h.world.azReachable('us-east-1b')).toBe(true);
    await h.clock.advance(100_000);
    expect(h.world.targetHealth().byAz['us-east-1b']).toMatchObject({ healthy: 2, unhealthy: 0 });
    // The group judges by EC2 state: a network fault replaces nothing.
    expect(launches(h)).toHaveLength(0);
    await h.clock.advance(2 * MINUTE);
    expect(unhealthy(h).slice(-2)).toEqual([0, 0]);
    expect(unhealthy(h, 0, { ...TG, AvailabilityZone: 'us-east-1b' })).toContain(2);
  });

  it('with the ELB health check type, gets the cut-off instances replaced in reachable AZs', async () => {
    const h = startWorld({
      edit: (d) => {
        d.autoScaling!.healthCheckType = 'ELB';
      },
    });
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1a'), 'all', 30 * MINUTE);
    await h.clock.advance(10 * MINUTE);
    const azs = launches(h).map((e) => h.world.instance(e.detail.EC2InstanceId as string)?.az);
    expect(azs).toHaveLength(2);
    expect(azs).not.toContain('us-east-1a');
  });

  it('of an S3-only scope leaves the service reachable', async () => {
    const h = startWorld();
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1a'), 's3', 5 * MINUTE);
    expect(h.world.azReachable('us-east-1a')).toBe(true);
    await h.clock.advance(3 * MINUTE);
    expect(h.world.targetHealth().healthy).toBe(6);
  });

  it('of every AZ leaves the ALB failing open and every request an ELB 5xx', async () => {
    const h = startWorld();
    const all = h.world.subnets().map((s) => s.id);
    h.world.disruptConnectivity(all, 'all', 10 * MINUTE);
    expect(h.world.endpointHealthy('us-east-1')).toBe(false);
    await h.clock.advance(4 * MINUTE);
    expect(h.world.targetHealth().unhealthy).toBe(6);
    const req = h.points('AWS/ApplicationELB', 'RequestCount', LB).at(-1)!;
    const elb = h.points('AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', LB).at(-1)!;
    expect(elb.sum).toBe(req.sum);
    expect(errorRate(h).at(-1)?.sum).toBe(100);
    expect(h.points('AWS/ApplicationELB', 'TargetResponseTime', LB)).toHaveLength(0);
    expect(h.world.endpointHealthy('us-east-1')).toBe(false);
    expect(h.world.endpointHealthy('us-west-2')).toBe(true);
  });
});

describe('capacity', () => {
  it('sheds load as target 5xx and latency passes the alarm when two instances carry everything', async () => {
    const h = startWorld({
      edit: (d) => {
        d.autoScaling!.replaceUnhealthy = false;
      },
    });
    await h.clock.advance(MINUTE);
    h.world.stopInstances([...idsIn(h.world, 'us-east-1a'), ...idsIn(h.world, 'us-east-1b')]);
    await h.clock.advance(5 * MINUTE);
    const last = h.points('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', LB).at(-1)!;
    const req = h.points('AWS/ApplicationELB', 'RequestCount', LB).at(-1)!;
    // 480 rps on 2 × 150: over a third is shed.
    expect(last.sum / req.sum).toBeGreaterThan(0.3);
    expect(last.sum / req.sum).toBeLessThan(0.45);
    expect(p99(h).at(-1)).toBeGreaterThan(1);
    expect(h.world.endpointHealthy('us-east-1')).toBe(true);
  });

  it('makes the endpoint unhealthy when no routed target answers', async () => {
    const h = startWorld();
    h.world.stopInstances(h.world.instances().map((i) => i.id));
    // The ALB still believes in them, but none answers.
    expect(h.world.targetHealth().healthy).toBe(6);
    expect(h.world.endpointHealthy('us-east-1')).toBe(false);
  });
});

describe('the database', () => {
  it('fails writes and spikes replica lag during a failover, then recovers', async () => {
    const h = startWorld();
    await h.clock.advance(2 * MINUTE);
    const start = h.clock.now();
    const c = h.world.failoverDbCluster('checkout-db');
    const endsAt = c.failoverEndsAt!;
    await h.clock.advanceTo(endsAt + 10_000);
    expect(h.world.dbCluster('checkout-db')).toMatchObject({ status: 'available', writerAz: 'us-east-1b' });
    await h.clock.advance(5 * MINUTE);
    const rates = errorRate(h, start).map((p) => p.sum);
    expect(Math.max(...rates)).toBeGreaterThan(20);
    expect(Math.max(...rates)).toBeLessThan(35);
    expect(rates.at(-1)).toBeLessThan(1);
    const t5 = h.since(start, 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', LB).map((p) => p.sum);
    expect(Math.max(...t5)).toBeGreaterThan(1000);
    const lags = lagMax(h, start);
    expect(lags.filter((l) => l > 1000).length).toBeGreaterThanOrEqual(1);
    expect(lags.filter((l) => l > 1000).length).toBeLessThanOrEqual(3);
    expect(lags.at(-1)).toBeLessThan(100);
    const rds = h.bus.all().filter((e) => e.source === 'aws.rds');
    expect(rds.map((e) => e.detail.EventID)).toEqual(['RDS-EVENT-0073', 'RDS-EVENT-0071']);
    expect(rds[0]).toMatchObject({ 'detail-type': 'RDS DB Cluster Event', resources: [c.arn] });
  });

  it("loses writes and lags while the writer's AZ is cut off, with a 5xx burst of 1–2 minutes when failed over", async () => {
    const h = startWorld();
    await h.clock.advance(2 * MINUTE);
    const start = h.clock.now();
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1a'), 'all', 10 * MINUTE);
    h.world.failoverDbCluster('checkout-db');
    await h.clock.advance(8 * MINUTE);
    const rates = errorRate(h, start).map((p) => p.sum);
    const burst = rates.filter((r) => r > 5);
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst.length).toBeLessThanOrEqual(3);
    expect(Math.max(...rates)).toBeGreaterThan(25);
    expect(rates.slice(-3).every((r) => r < 1)).toBe(true);
    const lags = lagMax(h, start);
    expect(lags.filter((l) => l > 1000).length).toBeGreaterThanOrEqual(2);
    expect(lags.slice(-3).every((l) => l < 100)).toBe(true);
  });

  it('keeps lagging while the writer is unreachable and nobody fails it over', async () => {
    const h = startWorld();
    h.world.disruptConnectivity(subnetsIn(h.world, 'us-east-1a'), 'all', 10 * MINUTE);
    await h.clock.advance(5 * MINUTE);
    expect(
      lagMax(h)
        .slice(-3)
        .every((l) => l > 1000),
    ).toBe(true);
    // Three in ten requests write: they keep failing.
    expect(errorRate(h).at(-1)?.sum).toBeGreaterThan(25);
  });
});

describe('the standby region', () => {
  const STANDBY_LB = { LoadBalancer: 'app/checkout-standby-alb/a3c1e5f7b9d20468' };
  const STANDBY_TG = { TargetGroup: 'targetgroup/checkout-standby-tg/2f4e6a8c0b1d3e57', ...STANDBY_LB };
  const GLOBAL_LAG = { DBClusterIdentifier: 'checkout-db-standby' };
  const standbyArn = 'arn:aws:rds:us-west-2:123456789012:cluster:checkout-db-standby';
  const requests = (h: Harness, dims: Record<string, string>) =>
    h.points('AWS/ApplicationELB', 'RequestCount', dims).map((p) => p.sum);
  const globalLag = (h: Harness) => h.points('AWS/RDS', 'AuroraGlobalDBRPOLag', GLOBAL_LAG);

  it('gets nothing until DNS moves, then serves it all; its reads succeed and its writes fail until promoted', async () => {
    const h = startWorld();
    await h.clock.advance(2 * MINUTE);
    expect(requests(h, STANDBY_LB)).toEqual([0, 0]);
    // Warm, whatever it serves: its hosts behind its own load balancer, per AZ.
    expect(h.points('AWS/ApplicationELB', 'HealthyHostCount', STANDBY_TG).map((p) => p.max)).toEqual([6, 6]);
    expect(
      h
        .points('AWS/ApplicationELB', 'HealthyHostCount', { ...STANDBY_TG, AvailabilityZone: 'us-west-2b' })
        .at(-1)?.max,
    ).toBe(2);

    h.world.setDnsActiveRegion('us-west-2');
    expect(h.world.dnsActiveRegion()).toBe('us-west-2');
    await h.clock.advance(3 * MINUTE);
    expect(requests(h, LB).slice(-2)).toEqual([0, 0]);
    expect(requests(h, STANDBY_LB).at(-1)).toBeGreaterThan(480 * 60 * 0.95);
    // Three in ten requests write, to a secondary that takes no writes.
    expect(errorRate(h).at(-1)?.sum).toBeGreaterThan(25);
    expect(errorRate(h).at(-1)?.sum).toBeLessThan(35);

    const promoted = h.world.failoverGlobalCluster('checkout-global', standbyArn);
    expect(promoted).toMatchObject({ status: 'promoting', id: 'checkout-db-standby' });
    await h.clock.advance(3 * MINUTE);
    expect(h.world.standby!.database()!.status).toBe('primary');
    expect(errorRate(h).at(-1)?.sum).toBeLessThan(1);
    expect(h.points('Faultline/Service', 'LatencyP99', SERVICE).at(-1)?.sum).toBeLessThan(500);
    const events = h.bus
      .all()
      .filter((e) => e.source === 'aws.rds')
      .map((e) => (e.detail as { EventID: string }).EventID);
    expect(events).toEqual(['RDS-EVENT-0181', 'RDS-EVENT-0185']);
    // A promoted cluster replicates from nobody: no lag of its own any more.
    const lastLag = globalLag(h).at(-1)!.timestamp;
    expect(lastLag).toBeLessThan(h.clock.now() - 2 * MINUTE);

    // The old primary was demoted by the global failover: sending traffic back fails its writes.
    h.world.setDnsActiveRegion('us-east-1');
    await h.clock.advance(3 * MINUTE);
    expect(errorRate(h).at(-1)?.sum).toBeGreaterThan(25);
  });

  it('lags a fraction of a second, frozen at the moment the primary was cut off: what a promotion gives up', async () => {
    const h = startWorld();
    await h.clock.advance(2 * MINUTE);
    const steady = globalLag(h);
    expect(steady.length).toBe(2);
    for (const p of steady) {
      expect(p.max).toBeGreaterThan(100);
      expect(p.max).toBeLessThan(500);
    }
    h.world.disruptConnectivity(
      h.world.subnets().map((s) => s.id),
      'all',
      30 * MINUTE,
    );
    await h.clock.advance(5 * MINUTE);
    // Nothing is written where nothing arrives, and nothing arrives from there: the gap stays put.
    const cut = globalLag(h).slice(-4);
    expect(new Set(cut.map((p) => [p.min, p.max].join())).size).toBe(1);
    expect(cut[0]!.min).toBe(cut[0]!.max);
    h.world.failoverGlobalCluster('checkout-global', 'checkout-db-standby');
    expect(h.world.standby!.database()!.promotion).toEqual({
      startedAt: h.clock.now(),
      lostWritesMs: cut[0]!.max,
    });
  });

  it('refuses a failover of another global database, of a cluster not in it, and a second one', async () => {
    const h = startWorld();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'no error';
    };
    expect(code(() => h.world.failoverGlobalCluster('other-global', standbyArn))).toBe(
      'GlobalClusterNotFoundFault',
    );
    expect(code(() => h.world.failoverGlobalCluster('checkout-global', 'checkout-db'))).toBe(
      'DBClusterNotFoundFault',
    );
    h.world.failoverGlobalCluster('checkout-global', standbyArn);
    expect(code(() => h.world.failoverGlobalCluster('checkout-global', standbyArn))).toBe(
      'InvalidGlobalClusterStateFault',
    );
    const noStandby = startWorld({
      edit: (d) => void Object.assign(d, { standby: undefined, dns: undefined }),
    });
    expect(code(() => noStandby.world.failoverGlobalCluster('checkout-global', standbyArn))).toBe(
      'GlobalClusterNotFoundFault',
    );
  });
});

describe('determinism', () => {
  const run = async (seed: number) => {
    const h = startWorld({ seed });
    await h.clock.advance(2 * MINUTE);
    h.world.stopInstances(idsIn(h.world, 'us-east-1a'));
    h.world.failoverDbCluster('checkout-db');
    await h.clock.advance(12 * MINUTE);
    return h.metrics
      .list({})
      .map((m) => ({ ...m, points: h.metrics.points(m, 0, Number.POSITIVE_INFINITY) }));
  };

  it('gives identical metrics for the same seed and the same faults', async () => {
    const a = await run(7);
    const b = await run(7);
    // 17 of the primary and the service; 8 of the session cache's three nodes (IsMaster and
    // CurrConnections each, ReplicationLag of the replicas); 5 of the ECS service (task counts, CPU,
    // memory); 12 of the idle standby (request counts, hosts, its replication lag).
    expect(a).toHaveLength(42);
    expect(b).toEqual(a);
  });

  it('gives different noise for another seed', async () => {
    expect(await run(8)).not.toEqual(await run(7));
  });
});

describe('world files', () => {
  const bad = (edit: (raw: Record<string, unknown>) => void) => {
    const raw = structuredClone(checkout) as unknown as Record<string, unknown>;
    edit(raw);
    return () => parseWorld(raw, 'bad.yaml');
  };
  const at = (raw: Record<string, unknown>, key: string) => raw[key] as Record<string, unknown>;

  it('names the field of a bad alarm, health check or database setting', () => {
    expect(
      bad((r) => {
        (r.alarms as unknown[]).push({ Namespace: 'AWS/EC2' });
      }),
    ).toThrow(/^bad\.yaml: alarms\.5\.AlarmName: /);
    expect(
      bad((r) => {
        (r.alarms as unknown[]).push({ AlarmName: 'checkout-5xx-rate' });
      }),
    ).toThrow("bad.yaml: alarms.5.AlarmName: 'checkout-5xx-rate' is defined twice");
    expect(
      bad((r) => {
        at(r, 'autoScaling').healthCheckType = 'ALB';
      }),
    ).toThrow(/autoScaling\.healthCheckType/);
    expect(
      bad((r) => {
        at(r, 'database').writeRequestShare = 2;
      }),
    ).toThrow(/database\.writeRequestShare/);
    expect(
      bad((r) => {
        at(r, 'database').readerAzs = ['us-east-1a'];
      }),
    ).toThrow(/database\.readerAzs: 'us-east-1a' is the writer's AZ/);
    expect(
      bad((r) => {
        at(at(r, 'loadBalancer'), 'healthCheck').unhealthyThreshold = 1;
      }),
    ).toThrow(/loadBalancer\.healthCheck\.unhealthyThreshold/);
    expect(
      bad((r) => {
        at(r, 'service').baselineErrorPercent = -1;
      }),
    ).toThrow(/service\.baselineErrorPercent/);
    expect(
      bad((r) => {
        at(r, 'service').burstRps = 10;
      }),
    ).toThrow(/service: Unrecognized key/);
  });

  it('names what is wrong with a standby and the DNS that points at it', () => {
    expect(
      bad((r) => {
        at(r, 'standby').region = 'us-east-1';
      }),
    ).toThrow("bad.yaml: standby.region: is the world's own region; a standby lives in another one");
    expect(
      bad((r) => {
        delete r.standby;
      }),
    ).toThrow(/^bad\.yaml: dns: needs a standby section/);
    expect(
      bad((r) => {
        delete r.database;
      }),
    ).toThrow(/^bad\.yaml: standby\.database: is a secondary of the primary database/);
    expect(
      bad((r) => {
        at(r, 'dns').secondaryRegion = 'us-west-2';
      }),
    ).toThrow(/^bad\.yaml: dns: Unrecognized key: "secondaryRegion"/);
  });

  describe('on disk', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faultline-world-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports bad YAML, a missing file and a bad field as one error naming the file', async () => {
      const yamlFile = join(dir, 'broken.yaml');
      await writeFile(yamlFile, 'name: [unclosed\n');
      await expect(loadWorldFile(yamlFile)).rejects.toThrow(`${yamlFile}: line 2, column 1: not valid YAML`);
      await expect(loadWorldFile(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: no such file$/);
      const badField = join(dir, 'bad.yaml');
      await writeFile(badField, 'name: x\nregion: mars-1\n');
      await expect(loadWorldFile(badField)).rejects.toThrow(`${badField}: region: must be a region name`);
    });
  });
});

describe('in a started sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    ({ sb } = await startSandbox());
  });
  afterAll(async () => {
    await sb.close();
  });

  it('runs the world on the sandbox clock', async () => {
    await sb.clock.advance(2 * MINUTE);
    const pts = sb.core.metrics.points(
      { namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensions: TG },
      0,
      Number.POSITIVE_INFINITY,
    );
    expect(pts.map((p) => p.max)).toEqual([6, 6]);
  });
});
