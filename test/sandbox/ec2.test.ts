import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeRegionsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Filter,
  type Instance,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { loadWorldFile, type WorldDefinition } from '../../sandbox/world/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';

async function failure(
  p: Promise<unknown>,
): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** The checkout world without Auto Scaling replacements, so instance counts stay what the test made them. */
async function quietWorld(): Promise<WorldDefinition> {
  const def = await loadWorldFile();
  if (def.autoScaling) def.autoScaling.replaceUnhealthy = false;
  return def;
}

describe('EC2', () => {
  let sb: Sandbox;
  let ec2: EC2Client;
  beforeAll(async () => {
    const started = await startSandbox({ world: await quietWorld() });
    sb = started.sb;
    ec2 = new EC2Client(started.config);
  });
  afterAll(async () => {
    await sb.close();
  });

  const describeAll = async (input: DescribeInstancesCommandInput = {}): Promise<Instance[]> => {
    const out = await ec2.send(new DescribeInstancesCommand(input));
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  };
  const ids = (instances: Instance[]) => instances.map((i) => i.InstanceId);
  const filtered = async (...Filters: Filter[]) => ids(await describeAll({ Filters }));

  it('describes every instance with its state, placement, network and tags', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations).toHaveLength(6);
    const reservation = out.Reservations![0]!;
    expect(reservation.OwnerId).toBe('123456789012');
    expect(reservation.ReservationId).toMatch(/^r-/);
    const inst = reservation.Instances![0]!;
    const world = sb.world.instances()[0]!;
    expect(inst).toMatchObject({
      InstanceId: world.id,
      ImageId: 'ami-0c0ffee0000000001',
      InstanceType: 'm6i.large',
      State: { Code: 16, Name: 'running' },
      Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
      SubnetId: world.subnetId,
      VpcId: world.vpcId,
      PrivateIpAddress: world.privateIp,
      Architecture: 'x86_64',
    });
    expect(inst.PrivateDnsName).toBe(`ip-${world.privateIp.replaceAll('.', '-')}.ec2.internal`);
    expect(inst.LaunchTime?.getTime()).toBe(world.launchTime);
    expect(inst.SecurityGroups).toEqual([{ GroupId: 'sg-0c0ffee0000000001', GroupName: 'checkout-sg' }]);
    expect(inst.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'Service', Value: 'checkout' },
        { Key: 'aws:autoscaling:groupName', Value: 'checkout-asg' },
      ]),
    );
  });

  it('describes instances by id, and refuses malformed and unknown ids', async () => {
    const [a, b] = sb.world.instances();
    expect(ids(await describeAll({ InstanceIds: [b!.id, a!.id] }))).toEqual([a!.id, b!.id]);
    const malformed = await failure(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['web-1'] })));
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
    expect(malformed.message).toBe('Invalid id: "web-1"');
    const missing = await failure(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [a!.id, 'i-0123456789abcdef0'] })),
    );
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
    expect(missing.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(missing.$metadata?.httpStatusCode).toBe(400);
  });

  it('filters instances by state, AZ, tag, tag key, id, subnet and VPC, with wildcards', async () => {
    const all = sb.world.instances();
    const inA = all.filter((i) => i.az === 'us-east-1a').map((i) => i.id);
    expect(await filtered({ Name: 'availability-zone', Values: ['us-east-1a'] })).toEqual(inA);
    expect(await filtered({ Name: 'availability-zone', Values: ['us-east-1?'] })).toHaveLength(6);
    expect(await filtered({ Name: 'tag:Service', Values: ['checkout'] })).toHaveLength(6);
    expect(await filtered({ Name: 'tag:Service', Values: ['check*'] })).toHaveLength(6);
    expect(await filtered({ Name: 'tag:Service', Values: ['billing'] })).toEqual([]);
    expect(await filtered({ Name: 'tag-key', Values: ['ChaosReady'] })).toHaveLength(6);
    expect(await filtered({ Name: 'tag-key', Values: ['Nope'] })).toEqual([]);
    expect(await filtered({ Name: 'instance-id', Values: [all[2]!.id] })).toEqual([all[2]!.id]);
    expect(await filtered({ Name: 'subnet-id', Values: [all[0]!.subnetId] })).toEqual(inA);
    expect(await filtered({ Name: 'vpc-id', Values: [sb.world.vpcId] })).toHaveLength(6);
    expect(await filtered({ Name: 'instance-state-name', Values: ['stopped'] })).toEqual([]);
    // The shipped world has no Spot Instances, and on-demand ones have no lifecycle to match.
    expect(await filtered({ Name: 'instance-lifecycle', Values: ['spot'] })).toEqual([]);
    expect(
      await filtered(
        { Name: 'availability-zone', Values: ['us-east-1a', 'us-east-1b'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ),
    ).toHaveLength(4);
    const bad = await failure(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
    );
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('pages DescribeInstances with MaxResults and NextToken', async () => {
    const first = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(first.Reservations).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    const second = await ec2.send(
      new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.Reservations).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    const seen = [...first.Reservations!, ...second.Reservations!].map((r) => r.Instances![0]!.InstanceId);
    expect(new Set(seen).size).toBe(6);

    expect((await failure(ec2.send(new DescribeInstancesCommand({ MaxResults: 3 })))).name).toBe(
      'InvalidParameterValue',
    );
    expect(
      (await failure(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: 'nope' })))).name,
    ).toBe('InvalidParameterValue');
    expect(
      (
        await failure(
          ec2.send(
            new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [sb.world.instances()[0]!.id] }),
          ),
        )
      ).name,
    ).toBe('InvalidParameterCombination');
    const empty = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['terminated'] }] }),
    );
    expect(empty.Reservations ?? []).toEqual([]);
  });

  it('answers DryRunOperation without changing anything', async () => {
    const id = sb.world.instances()[0]!.id;
    const err = await failure(ec2.send(new StopInstancesCommand({ InstanceIds: [id], DryRun: true })));
    expect(err.name).toBe('DryRunOperation');
    expect(err.$metadata?.httpStatusCode).toBe(412);
    expect(sb.world.instance(id)?.state).toBe('running');
  });

  it('stops and starts instances through the world, visible in DescribeInstances over virtual time', async () => {
    const id = sb.world.instances()[1]!.id;
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances).toEqual([
      {
        InstanceId: id,
        PreviousState: { Code: 16, Name: 'running' },
        CurrentState: { Code: 64, Name: 'stopping' },
      },
    ]);
    const state = async () => (await describeAll({ InstanceIds: [id] }))[0]!;
    expect((await state()).State).toEqual({ Code: 64, Name: 'stopping' });

    const refused = await failure(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })));
    expect(refused.name).toBe('IncorrectInstanceState');

    await sb.clock.advance(61_000);
    const stopped = await state();
    expect(stopped.State).toEqual({ Code: 80, Name: 'stopped' });
    expect(stopped.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(await filtered({ Name: 'instance-state-name', Values: ['stopped'] })).toEqual([id]);

    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(start.StartingInstances?.[0]).toMatchObject({
      PreviousState: { Code: 80, Name: 'stopped' },
      CurrentState: { Code: 0, Name: 'pending' },
    });
    await sb.clock.advance(41_000);
    expect((await state()).State).toEqual({ Code: 16, Name: 'running' });
  });

  it('refuses a state change for the whole request when one instance cannot make it', async () => {
    const [victim, bystander] = sb.world.instances().slice(2, 4);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim!.id] }));
    const err = await failure(
      ec2.send(new StopInstancesCommand({ InstanceIds: [bystander!.id, victim!.id] })),
    );
    expect(err.name).toBe('IncorrectInstanceState');
    expect(sb.world.instance(bystander!.id)?.state).toBe('running');
    expect((await failure(ec2.send(new StopInstancesCommand({ InstanceIds: [] })))).name).toBe(
      'MissingParameter',
    );
    expect(
      (await failure(ec2.send(new StartInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })))).name,
    ).toBe('InvalidInstanceID.NotFound');
  });

  it('terminates instances: shutting-down, then terminated, without their network placement', async () => {
    const id = sb.world.instances()[4]!.id;
    const out = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(out.TerminatingInstances?.[0]).toMatchObject({
      InstanceId: id,
      PreviousState: { Name: 'running' },
      CurrentState: { Code: 32, Name: 'shutting-down' },
    });
    await sb.clock.advance(61_000);
    const [inst] = await describeAll({ InstanceIds: [id] });
    expect(inst?.State).toEqual({ Code: 48, Name: 'terminated' });
    expect(inst?.PrivateIpAddress).toBeUndefined();
    expect(inst?.SubnetId).toBeUndefined();
    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances?.[0]?.CurrentState?.Name).toBe('terminated');
  });

  it('reboots a running instance, which stays running while its status checks initialise', async () => {
    const id = sb.world.instances()[5]!.id;
    await ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }));
    expect(sb.world.instance(id)?.state).toBe('running');
    const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    expect(status.InstanceStatuses?.[0]?.InstanceStatus?.Status).toBe('initializing');
    await sb.clock.advance(91_000);
    const after = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }));
    expect(after.InstanceStatuses?.[0]?.InstanceStatus).toEqual({
      Status: 'ok',
      Details: [{ Name: 'reachability', Status: 'passed' }],
    });
    const terminated = sb.world.instances()[4]!.id;
    const err = await failure(ec2.send(new RebootInstancesCommand({ InstanceIds: [terminated] })));
    expect(err.name).toBe('IncorrectInstanceState');
  });

  it('reports instance status for running instances, or all with IncludeAllInstances', async () => {
    const running = await ec2.send(new DescribeInstanceStatusCommand({}));
    const runningIds = sb.world
      .instances()
      .filter((i) => i.state === 'running')
      .map((i) => i.id);
    expect(running.InstanceStatuses?.map((s) => s.InstanceId)).toEqual(runningIds);
    expect(running.InstanceStatuses?.[0]).toMatchObject({
      AvailabilityZone: 'us-east-1a',
      AvailabilityZoneId: 'use1-az1',
      InstanceState: { Code: 16, Name: 'running' },
      SystemStatus: { Status: 'ok' },
    });
    const all = await ec2.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
    expect(all.InstanceStatuses).toHaveLength(sb.world.instances().length);
    const gone = all.InstanceStatuses?.find((s) => s.InstanceState?.Name === 'terminated');
    expect(gone?.InstanceStatus?.Status).toBe('not-applicable');
    const filteredStatus = await ec2.send(
      new DescribeInstanceStatusCommand({
        IncludeAllInstances: true,
        Filters: [{ Name: 'instance-state-name', Values: ['terminated'] }],
      }),
    );
    expect(filteredStatus.InstanceStatuses?.map((s) => s.InstanceId)).toEqual(
      sb.world
        .instances()
        .filter((i) => i.state === 'terminated')
        .map((i) => i.id),
    );
    const paged = await ec2.send(
      new DescribeInstanceStatusCommand({ IncludeAllInstances: true, MaxResults: 5 }),
    );
    expect(paged.InstanceStatuses).toHaveLength(5);
    const rest = await ec2.send(
      new DescribeInstanceStatusCommand({
        IncludeAllInstances: true,
        MaxResults: 5,
        NextToken: paged.NextToken,
      }),
    );
    expect(rest.InstanceStatuses).toHaveLength(1);
  });

  it('describes subnets, with filters, and refuses unknown ones', async () => {
    const all = await ec2.send(new DescribeSubnetsCommand({}));
    expect(all.Subnets?.map((s) => s.AvailabilityZone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const subnet = sb.world.subnets()[1]!;
    expect(all.Subnets?.[1]).toMatchObject({
      SubnetId: subnet.id,
      SubnetArn: subnet.arn,
      VpcId: sb.world.vpcId,
      CidrBlock: '10.0.16.0/20',
      State: 'available',
      AvailabilityZoneId: 'use1-az2',
      DefaultForAz: false,
    });
    const holding = sb.world.instances().filter((i) => i.subnetId === subnet.id && i.state !== 'terminated');
    expect(all.Subnets?.[1]?.AvailableIpAddressCount).toBe(4091 - holding.length);
    expect(all.Subnets?.[1]?.Tags).toEqual(
      expect.arrayContaining([{ Key: 'Name', Value: 'checkout-us-east-1b' }]),
    );

    const byAz = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1c'] }] }),
    );
    expect(byAz.Subnets?.map((s) => s.AvailabilityZone)).toEqual(['us-east-1c']);
    const byTag = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['checkout-us-east-1a'] }] }),
    );
    expect(byTag.Subnets?.map((s) => s.SubnetId)).toEqual([sb.world.subnets()[0]!.id]);
    const byId = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.id] }));
    expect(byId.Subnets?.map((s) => s.SubnetId)).toEqual([subnet.id]);
    const missing = await failure(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0'] })),
    );
    expect(missing.name).toBe('InvalidSubnetID.NotFound');
    const malformed = await failure(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['sn-1'] })));
    expect(malformed.name).toBe('InvalidSubnetID.Malformed');
    const page = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    expect(page.Subnets).toHaveLength(3);
    expect(page.NextToken).toBeUndefined();
  });

  it('describes the availability zones', async () => {
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.State])).toEqual([
      ['us-east-1a', 'use1-az1', 'available'],
      ['us-east-1b', 'use1-az2', 'available'],
      ['us-east-1c', 'use1-az3', 'available'],
    ]);
    expect(out.AvailabilityZones?.[0]).toMatchObject({
      RegionName: 'us-east-1',
      ZoneType: 'availability-zone',
      OptInStatus: 'opt-in-not-required',
    });
    const one = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['use1-az2'] }));
    expect(one.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1b']);
    const filteredZones = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['*c'] }] }),
    );
    expect(filteredZones.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1c']);
    const err = await failure(ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1z'] })));
    expect(err.name).toBe('InvalidParameterValue');
  });

  it("describes the world's one VPC, which holds its subnets, and its one region", async () => {
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs).toEqual([
      expect.objectContaining({
        VpcId: sb.world.vpcId,
        CidrBlock: '10.0.0.0/16',
        State: 'available',
        IsDefault: false,
        OwnerId: '123456789012',
      }),
    ]);
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({}));
    expect(new Set(Subnets?.map((s) => s.VpcId))).toEqual(new Set([sb.world.vpcId]));
    const filtered = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'cidr-block', Values: ['10.1.*'] }] }),
    );
    expect(filtered.Vpcs).toEqual([]);
    const missing = await failure(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-12345678'] })));
    expect(missing).toMatchObject({
      name: 'InvalidVpcID.NotFound',
      message: "The vpc ID 'vpc-12345678' does not exist",
    });

    const { Regions } = await ec2.send(new DescribeRegionsCommand({}));
    expect(Regions).toEqual([
      {
        RegionName: 'us-east-1',
        Endpoint: 'ec2.us-east-1.amazonaws.com',
        OptInStatus: 'opt-in-not-required',
      },
    ]);
    const other = await failure(ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] })));
    expect(other.name).toBe('InvalidParameterValue');
  });

  it('describes tags by resource, type and key, page by page', async () => {
    const id = sb.world.instances()[0]!.id;
    const forInstance = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }),
    );
    expect(forInstance.Tags?.find((t) => t.Key === 'Service')).toEqual({
      Key: 'Service',
      ResourceId: id,
      ResourceType: 'instance',
      Value: 'checkout',
    });
    const subnets = await ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'resource-type', Values: ['subnet'] },
          { Name: 'key', Values: ['Name'] },
        ],
      }),
    );
    expect(subnets.Tags?.map((t) => t.Value)).toEqual([
      'checkout-us-east-1a',
      'checkout-us-east-1b',
      'checkout-us-east-1c',
    ]);
    const page = await ec2.send(new DescribeTagsCommand({ MaxResults: 5 }));
    expect(page.Tags).toHaveLength(5);
    const next = await ec2.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: page.NextToken }));
    expect(next.Tags?.[0]).not.toEqual(page.Tags?.[0]);
  });

  it('answers an unknown action in EC2 error shape', async () => {
    const res = await fetch(sb.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20260105/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: 'Action=LaunchRockets&Version=2016-11-15',
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('<Response><Errors><Error><Code>InvalidAction</Code>');
  });
});
