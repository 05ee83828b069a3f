import { FisClient } from '@aws-sdk/client-fis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { statusCheck } from '../../sandbox/services/ec2/render.ts';
import type { WorldDefinition } from '../../sandbox/world/schema.ts';
import { loadWorldFile } from '../../sandbox/world/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { advanceToRunning, getExperiment, startFrom } from './fis-helpers.ts';

/** The FIS actions of the world's Spot Instances, EBS volumes, Auto Scaling group, load balancer and DB instances, run against it. */

const MINUTE = 60_000;

describe('FIS actions on Spot Instances, EBS volumes, the Auto Scaling group, the load balancer and DB instances', () => {
  let sb: Sandbox;
  let fis: FisClient;

  async function open(change: (def: WorldDefinition) => WorldDefinition = (d) => d): Promise<void> {
    const started = await startSandbox({ world: change(await loadWorldFile()) });
    sb = started.sb;
    fis = new FisClient(started.config);
  }

  afterEach(async () => {
    await sb?.close();
  });

  const events = (detailType: string) => sb.core.bus.all().filter((e) => e['detail-type'] === detailType);

  it('interrupts Spot Instances: a rebalance recommendation and a notice each, terminated after durationBeforeInterruption', async () => {
    await open((d) => ({ ...d, service: { ...d.service, spotInstancesPerAz: 1 }, autoScaling: undefined }));
    const spot = sb.world.instances().filter((i) => i.lifecycle === 'spot');
    expect(spot.map((i) => i.az)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const id = await startFrom(fis, {
      targets: {
        spot: {
          resourceType: 'aws:ec2:spot-instance',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'ALL',
        },
      },
      actions: {
        interrupt: {
          actionId: 'aws:ec2:send-spot-instance-interruptions',
          parameters: { durationBeforeInterruption: 'PT2M' },
          targets: { SpotInstances: 'spot' },
        },
      },
    });
    await advanceToRunning(sb);
    expect(events('EC2 Spot Instance Interruption Warning').map((e) => e.detail)).toEqual(
      spot.map((i) => ({ 'instance-id': i.id, 'instance-action': 'terminate' })),
    );
    expect(events('EC2 Instance Rebalance Recommendation')).toHaveLength(3);
    // The notice is two minutes ahead: the instances still serve until then.
    await sb.clock.advance(MINUTE);
    expect(spot.map((i) => sb.world.instance(i.id)!.state)).toEqual(['running', 'running', 'running']);
    await sb.clock.advance(3 * MINUTE);
    expect(spot.map((i) => sb.world.instance(i.id)!.stateReasonCode)).toEqual(
      Array(3).fill('Server.SpotInstanceTermination'),
    );
    expect(sb.world.instances().filter((i) => i.state === 'terminated')).toHaveLength(3);
    expect(
      sb.world.instances().filter((i) => i.state === 'running' && i.lifecycle === 'on-demand'),
    ).toHaveLength(3);
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
  });

  it("pauses EBS I/O in one AZ: its hosts hang (status impaired, the load balancer's checks time out) until the pause ends", async () => {
    await open((d) => ({ ...d, autoScaling: undefined }));
    const inA = sb.world.instances().filter((i) => i.az === 'us-east-1a');
    const id = await startFrom(fis, {
      targets: {
        volumes: {
          resourceType: 'aws:ec2:ebs-volume',
          resourceTags: { Service: 'checkout' },
          // FIS takes an AZ by its id as well as by its name.
          parameters: { availabilityZoneIdentifier: 'use1-az1' },
          selectionMode: 'ALL',
        },
      },
      actions: {
        pause: {
          actionId: 'aws:ebs:pause-volume-io',
          parameters: { duration: 'PT5M' },
          targets: { Volumes: 'volumes' },
        },
      },
    });
    await advanceToRunning(sb);
    expect(
      sb.world
        .volumes()
        .filter((v) => v.ioPausedUntil !== undefined)
        .map((v) => v.instanceId),
    ).toEqual(inA.map((i) => i.id));
    expect(inA.map((i) => statusCheck(sb.world, i))).toEqual(['impaired', 'impaired']);
    await sb.clock.advance(3 * MINUTE);
    const health = sb.world.targetHealth();
    expect(health.byAz['us-east-1a']).toMatchObject({ healthy: 0, unhealthy: 2 });
    expect(health.targets.find((t) => t.id === inA[0]!.id)?.reason).toBe('Target.Timeout');
    // The hosts kept running: nothing but their disks stopped.
    expect(inA.map((i) => sb.world.instance(i.id)!.state)).toEqual(['running', 'running']);

    await sb.clock.advance(5 * MINUTE);
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
    expect(inA.map((i) => statusCheck(sb.world, i))).toEqual(['ok', 'ok']);
    expect(sb.world.targetHealth().byAz['us-east-1a']).toMatchObject({ healthy: 2, unhealthy: 0 });
  });

  it('answers InsufficientInstanceCapacity to the group in one AZ: its replacement is launched in another', async () => {
    await open();
    const id = await startFrom(fis, {
      targets: {
        group: {
          resourceType: 'aws:ec2:autoscaling-group',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'ALL',
        },
        victim: {
          resourceType: 'aws:ec2:instance',
          resourceTags: { Service: 'checkout' },
          filters: [{ path: 'Placement.AvailabilityZone', values: ['us-east-1a'] }],
          selectionMode: 'COUNT(1)',
        },
      },
      actions: {
        ice: {
          actionId: 'aws:ec2:asg-insufficient-instance-capacity-error',
          parameters: { availabilityZoneIdentifiers: 'us-east-1a', duration: 'PT20M', percentage: '100' },
          targets: { AutoScalingGroups: 'group' },
        },
        kill: { actionId: 'aws:ec2:terminate-instances', targets: { Instances: 'victim' } },
      },
    });
    await sb.clock.advance(8 * MINUTE);
    const refused = events('EC2 Instance Launch Unsuccessful');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.detail).toMatchObject({
      AutoScalingGroupName: 'checkout-asg',
      Details: { 'Availability Zone': 'us-east-1a' },
    });
    const launched = events('EC2 Instance Launch Successful').map((e) => String(e.detail.EC2InstanceId));
    expect(launched).toHaveLength(1);
    expect(sb.world.instance(launched[0]!)!.az).not.toBe('us-east-1a');
    expect(sb.world.instances().filter((i) => i.az === 'us-east-1a' && i.state === 'running')).toHaveLength(
      1,
    );
    expect((await getExperiment(fis, id)).actions!.ice!.state!.status).toBe('running');
  });

  it("shifts the load balancer's traffic away from an AZ: hosts failing there cost no request until the shift ends", async () => {
    await open((d) => ({ ...d, autoScaling: undefined }));
    const id = await startFrom(fis, {
      targets: {
        lb: {
          resourceType: 'aws:arc:zonal-shift-managed-resource',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'ALL',
        },
      },
      actions: {
        shift: {
          actionId: 'aws:arc:start-zonal-autoshift',
          parameters: { availabilityZoneIdentifier: 'use1-az1', duration: 'PT5M' },
          targets: { ManagedResources: 'lb' },
        },
      },
    });
    await advanceToRunning(sb);
    expect(sb.world.shiftedAzs()).toEqual(['us-east-1a']);
    // The AZ's application dies: the load balancer would route to it until its checks fail, but
    // sends it nothing while the shift lasts.
    sb.world.killServiceProcess(
      sb.world
        .instances()
        .filter((i) => i.az === 'us-east-1a')
        .map((i) => i.id),
    );
    await sb.clock.advance(20_000);
    expect(sb.world.currentTraffic()!.primary.elb5xx).toBe(0);
    await sb.clock.advance(5 * MINUTE);
    expect((await getExperiment(fis, id)).state!.status).toBe('completed');
    expect(sb.world.shiftedAzs()).toEqual([]);
  });

  it("reboots a DB instance: the writer's restart fails writes until it is back; with forceFailover the cluster fails over instead", async () => {
    await open((d) => ({ ...d, autoScaling: undefined }));
    expect(sb.world.dbInstances().map((d) => [d.id, d.role])).toEqual([
      ['checkout-db-us-east-1a', 'writer'],
      ['checkout-db-us-east-1b', 'reader'],
    ]);
    const reboot = (forceFailover: string) =>
      startFrom(fis, {
        targets: {
          writer: {
            resourceType: 'aws:rds:db',
            resourceTags: { ChaosReady: 'true' },
            parameters: { availabilityZoneIdentifiers: 'us-east-1a' },
            selectionMode: 'ALL',
          },
        },
        actions: {
          reboot: {
            actionId: 'aws:rds:reboot-db-instances',
            parameters: { forceFailover },
            targets: { DBInstances: 'writer' },
          },
        },
      });
    const restart = await reboot('false');
    await advanceToRunning(sb);
    expect(sb.world.dbInstances()[0]!.status).toBe('rebooting');
    await sb.clock.advance(10_000);
    // A third of the requests write (writeRequestShare 0.3): they fail while the writer restarts.
    expect(sb.world.currentTraffic()!.primary.target5xx).toBeGreaterThan(100);
    await sb.clock.advance(MINUTE);
    expect((await getExperiment(fis, restart)).state!.status).toBe('completed');
    expect(events('RDS DB Instance Event').map((e) => [e.detail.SourceIdentifier, e.detail.EventID])).toEqual(
      [['checkout-db-us-east-1a', 'RDS-EVENT-0006']],
    );
    expect(sb.world.dbCluster('checkout-db')).toMatchObject({ writerAz: 'us-east-1a', status: 'available' });
    expect(sb.world.currentTraffic()!.primary.target5xx).toBeLessThan(5);

    const failover = await reboot('true');
    await advanceToRunning(sb);
    expect(sb.world.dbCluster('checkout-db')!.status).toBe('failing-over');
    await sb.clock.advance(3 * MINUTE);
    expect((await getExperiment(fis, failover)).state!.status).toBe('completed');
    expect(sb.world.dbCluster('checkout-db')).toMatchObject({ writerAz: 'us-east-1b', status: 'available' });
  });
});
