import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  DeleteHealthCheckCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckCountCommand,
  GetHealthCheckLastFailureReasonCommand,
  GetHealthCheckStatusCommand,
  GetHostedZoneCommand,
  GetHostedZoneCountCommand,
  HealthCheckAlreadyExists,
  HealthCheckInUse,
  HealthCheckVersionMismatch,
  HostedZoneAlreadyExists,
  HostedZoneNotEmpty,
  InvalidChangeBatch,
  InvalidDomainName,
  InvalidInput,
  ListHealthChecksCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  ListTagsForResourcesCommand,
  NoSuchChange,
  NoSuchHealthCheck,
  NoSuchHostedZone,
  type ResourceRecordSet,
  Route53Client,
  type Tag,
  type TagResourceType,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { Route53Service } from '../../sandbox/services/route53.ts';
import { loadWorldFile } from '../../sandbox/world/schema.ts';
import { resolveHealthChecks } from '../../src/observe/health-checks.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

const PRIMARY_ALB = 'checkout-alb.us-east-1.elb.amazonaws.com';

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

function aRecord(name: string, ...values: string[]): ResourceRecordSet {
  return { Name: name, Type: 'A', TTL: 60, ResourceRecords: values.map((Value) => ({ Value })) };
}

function route53Of(sb: Sandbox): Route53Service {
  return sb.service('route53') as Route53Service;
}

describe('Route 53 hosted zones, records and changes', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let r53: Route53Client;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    r53 = new Route53Client(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  async function newZone(name: string, ref: string): Promise<string> {
    const out = await r53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: ref }));
    return out.HostedZone!.Id!;
  }
  function change(zoneId: string, ...changes: Change[]) {
    return r53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
    );
  }
  async function names(zoneId: string): Promise<string[]> {
    const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    return out.ResourceRecordSets!.map(
      (r) => `${r.Name} ${r.Type}${r.SetIdentifier ? ` ${r.SetIdentifier}` : ''}`,
    );
  }

  it('creates a hosted zone with its delegation set, SOA and NS, and refuses a reused caller reference', async () => {
    const out = await r53.send(
      new CreateHostedZoneCommand({
        Name: 'Shop.Example.org',
        CallerReference: 'zone-1',
        HostedZoneConfig: { Comment: 'c' },
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out.HostedZone).toMatchObject({
      Name: 'shop.example.org.',
      CallerReference: 'zone-1',
      ResourceRecordSetCount: 2,
    });
    expect(out.HostedZone!.Id).toMatch(/^\/hostedzone\/Z0[0-9A-Z]{19}$/);
    expect(out.Location).toBe(`https://route53.amazonaws.com/2013-04-01${out.HostedZone!.Id}`);
    expect(out.ChangeInfo).toMatchObject({ Status: 'PENDING' });
    expect(out.DelegationSet!.NameServers).toHaveLength(4);
    const got = await r53.send(new GetHostedZoneCommand({ Id: out.HostedZone!.Id }));
    expect(got.HostedZone).toEqual(out.HostedZone);
    expect(await names(out.HostedZone!.Id!)).toEqual(['shop.example.org. NS', 'shop.example.org. SOA']);

    await expect(
      r53.send(new CreateHostedZoneCommand({ Name: 'another.org', CallerReference: 'zone-1' })),
    ).rejects.toBeInstanceOf(HostedZoneAlreadyExists);
    const bad = await failure(
      r53.send(new CreateHostedZoneCommand({ Name: 'a..b.org', CallerReference: 'zone-bad' })),
    );
    expect(bad).toBeInstanceOf(InvalidDomainName);
    await expect(r53.send(new GetHostedZoneCommand({ Id: 'Z0NOSUCHZONE0000000' }))).rejects.toBeInstanceOf(
      NoSuchHostedZone,
    );
  });

  it('lists hosted zones in pages and by name', async () => {
    await newZone('b-list.org', 'list-b');
    await newZone('a-list.org', 'list-a');
    const all = await r53.send(new ListHostedZonesCommand({}));
    const count = await r53.send(new GetHostedZoneCountCommand({}));
    expect(count.HostedZoneCount).toBe(all.HostedZones!.length);
    const first = await r53.send(new ListHostedZonesCommand({ MaxItems: 1 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.HostedZones).toEqual([all.HostedZones![0]]);
    const second = await r53.send(new ListHostedZonesCommand({ MaxItems: 1, Marker: first.NextMarker }));
    expect(second.HostedZones).toEqual([all.HostedZones![1]]);

    const byName = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'a-list.org' }));
    expect(byName.HostedZones![0]!.Name).toBe('a-list.org.');
    expect(byName.HostedZones!.map((z) => z.Name)).toContain('b-list.org.');
    // Sorted by reversed labels: org.a-list before org.b-list, com.example before both.
    const sorted = await r53.send(new ListHostedZonesByNameCommand({}));
    const order = sorted.HostedZones!.map((z) => z.Name);
    expect(order.indexOf('example.com.')).toBeLessThan(order.indexOf('a-list.org.'));
    expect(order.indexOf('a-list.org.')).toBeLessThan(order.indexOf('b-list.org.'));
    const none = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'zzz.zzz' }));
    expect(none.HostedZones).toEqual([]);
    await expect(
      r53.send(new ListHostedZonesByNameCommand({ HostedZoneId: 'Z0ABC' })),
    ).rejects.toBeInstanceOf(InvalidInput);
  });

  it('keeps a change PENDING for the propagation delay, then INSYNC', async () => {
    const zoneId = await newZone('propagate.org', 'propagate');
    const out = await change(zoneId, {
      Action: 'CREATE',
      ResourceRecordSet: aRecord('www.propagate.org', '192.0.2.1'),
    });
    expect(out.ChangeInfo).toMatchObject({ Status: 'PENDING' });
    expect(out.ChangeInfo!.Id).toMatch(/^\/change\/C0[0-9A-Z]{19}$/);
    // The records are visible in the API at once; the name servers answer once the change is INSYNC.
    expect(await names(zoneId)).toContain('www.propagate.org. A');
    expect(route53Of(sb).resolve('www.propagate.org')).toBeUndefined();
    await sb.clock.advance(29_000);
    expect((await r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe(
      'PENDING',
    );
    await sb.clock.advance(32_000);
    expect((await r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe(
      'INSYNC',
    );
    expect(route53Of(sb).resolve('www.propagate.org')).toMatchObject({ type: 'A', values: ['192.0.2.1'] });
    await expect(r53.send(new GetChangeCommand({ Id: '/change/C0NOSUCHCHANGE' }))).rejects.toBeInstanceOf(
      NoSuchChange,
    );
  });

  it('validates change batches as Route 53 does and applies all or nothing', async () => {
    const zoneId = await newZone('rules.org', 'rules');
    await change(zoneId, { Action: 'CREATE', ResourceRecordSet: aRecord('www.rules.org', '192.0.2.1') });

    const dup = await failure(
      change(zoneId, { Action: 'CREATE', ResourceRecordSet: aRecord('www.rules.org', '192.0.2.9') }),
    );
    expect(dup).toBeInstanceOf(InvalidChangeBatch);
    expect(dup.message).toBe(
      "[Tried to create resource record set [name='www.rules.org.', type='A'] but it already exists]",
    );
    expect(dup.messages).toEqual([
      "Tried to create resource record set [name='www.rules.org.', type='A'] but it already exists",
    ]);
    const missing = await failure(
      change(zoneId, { Action: 'DELETE', ResourceRecordSet: aRecord('api.rules.org', '192.0.2.1') }),
    );
    expect(missing.message).toContain('but it was not found');
    const stale = await failure(
      change(zoneId, { Action: 'DELETE', ResourceRecordSet: aRecord('www.rules.org', '192.0.2.2') }),
    );
    expect(stale.message).toContain('but the values provided do not match the current values');
    const outside = await failure(
      change(zoneId, { Action: 'CREATE', ResourceRecordSet: aRecord('www.other.org', '192.0.2.1') }),
    );
    expect(outside.message).toContain('is not permitted in zone rules.org.');
    const badIp = await failure(
      change(zoneId, { Action: 'CREATE', ResourceRecordSet: aRecord('ip.rules.org', '300.1.1.1') }),
    );
    expect(badIp.message).toContain('ARRDATAIllegalIPv4Address');
    const cname = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: 'www.rules.org',
          Type: 'CNAME',
          TTL: 60,
          ResourceRecords: [{ Value: 'x.example.com' }],
        },
      }),
    );
    expect(cname.message).toContain('conflicts with other records with the same DNS name');

    // The batch's valid first change is not applied when the second is invalid.
    const mixed = await failure(
      change(
        zoneId,
        { Action: 'CREATE', ResourceRecordSet: aRecord('new.rules.org', '192.0.2.5') },
        { Action: 'DELETE', ResourceRecordSet: aRecord('gone.rules.org', '192.0.2.5') },
      ),
    );
    expect(mixed).toBeInstanceOf(InvalidChangeBatch);
    expect(await names(zoneId)).not.toContain('new.rules.org. A');

    // DELETE then CREATE in one batch replaces; UPSERT replaces too.
    await change(
      zoneId,
      { Action: 'DELETE', ResourceRecordSet: aRecord('www.rules.org', '192.0.2.1') },
      { Action: 'CREATE', ResourceRecordSet: aRecord('www.rules.org', '192.0.2.2') },
    );
    await change(zoneId, {
      Action: 'UPSERT',
      ResourceRecordSet: aRecord('www.rules.org', '192.0.2.3', '192.0.2.4'),
    });
    const listed = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: 'www.rules.org',
        StartRecordType: 'A',
      }),
    );
    expect(listed.ResourceRecordSets![0]!.ResourceRecords).toEqual([
      { Value: '192.0.2.3' },
      { Value: '192.0.2.4' },
    ]);

    await expect(
      change(zoneId, { Action: 'CREATE', ResourceRecordSet: { Name: 'x.rules.org', Type: 'A', TTL: 60 } }),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(
      change(zoneId, { Action: 'DELETE', ResourceRecordSet: { Name: 'rules.org', Type: 'SOA' } }),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(
      r53.send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z0NOSUCHZONE', ChangeBatch: { Changes: [] } }),
      ),
    ).rejects.toBeInstanceOf(NoSuchHostedZone);
  });

  it('enforces failover and weighted routing rules', async () => {
    const zoneId = await newZone('routing.org', 'routing');
    const failover = (id: string, role: 'PRIMARY' | 'SECONDARY', ip: string): Change => ({
      Action: 'CREATE',
      ResourceRecordSet: { ...aRecord('app.routing.org', ip), SetIdentifier: id, Failover: role },
    });
    const noIdentifier = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: { ...aRecord('app.routing.org', '192.0.2.1'), Failover: 'PRIMARY' },
      }),
    );
    expect(noIdentifier).toBeInstanceOf(InvalidInput);
    expect(noIdentifier.message).toContain("Missing field 'SetIdentifier'");
    const noPolicy = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: { ...aRecord('app.routing.org', '192.0.2.1'), SetIdentifier: 'x' },
      }),
    );
    expect(noPolicy).toBeInstanceOf(InvalidInput);

    await change(zoneId, failover('one', 'PRIMARY', '192.0.2.1'), failover('two', 'SECONDARY', '192.0.2.2'));
    const twoPrimaries = await failure(change(zoneId, failover('three', 'PRIMARY', '192.0.2.3')));
    expect(twoPrimaries).toBeInstanceOf(InvalidChangeBatch);
    const mixed = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: { ...aRecord('app.routing.org', '192.0.2.4'), SetIdentifier: 'w', Weight: 10 },
      }),
    );
    expect(mixed.message).toContain(
      'cannot be created as a non-weighted set exists with the same name and type',
    );
    const simple = await failure(
      change(zoneId, { Action: 'CREATE', ResourceRecordSet: aRecord('app.routing.org', '192.0.2.5') }),
    );
    expect(simple).toBeInstanceOf(InvalidChangeBatch);
    const noCheck = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: {
          ...aRecord('hc.routing.org', '192.0.2.1'),
          HealthCheckId: '00000000-0000-4000-8000-000000000000',
        },
      }),
    );
    expect(noCheck).toBeInstanceOf(InvalidChangeBatch);
    expect(noCheck.message).toContain('does not exist');
    const badWeight = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: { ...aRecord('w.routing.org', '192.0.2.1'), SetIdentifier: 'w', Weight: 256 },
      }),
    );
    expect(badWeight).toBeInstanceOf(InvalidInput);

    // An alias into one of our own zones must name a record set that exists there.
    const aliasMissing = await failure(
      change(zoneId, {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: 'alias.routing.org',
          Type: 'A',
          AliasTarget: { HostedZoneId: zoneId, DNSName: 'nothing.routing.org', EvaluateTargetHealth: false },
        },
      }),
    );
    expect(aliasMissing.message).toContain('but that target was not found');
  });

  it('lists record sets in Route 53 order and pages with NextRecordName/Type', async () => {
    const zoneId = await newZone('order.org', 'order');
    await change(
      zoneId,
      { Action: 'CREATE', ResourceRecordSet: aRecord('a.z.order.org', '192.0.2.1') },
      { Action: 'CREATE', ResourceRecordSet: aRecord('z.order.org', '192.0.2.2') },
      { Action: 'CREATE', ResourceRecordSet: aRecord('b.order.org', '192.0.2.3') },
      {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: 'b.order.org',
          Type: 'TXT',
          TTL: 60,
          ResourceRecords: [{ Value: '"hello"' }],
        },
      },
    );
    const all = await names(zoneId);
    expect(all).toEqual([
      'order.org. NS',
      'order.org. SOA',
      'b.order.org. A',
      'b.order.org. TXT',
      'z.order.org. A',
      'a.z.order.org. A',
    ]);
    const pages: string[] = [];
    let start: { StartRecordName?: string; StartRecordType?: 'A' | 'TXT' } = {};
    for (;;) {
      const page = await r53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 4, ...start }),
      );
      pages.push(...page.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`));
      if (!page.IsTruncated) break;
      expect(page.NextRecordName).toBeDefined();
      start = { StartRecordName: page.NextRecordName!, StartRecordType: page.NextRecordType as 'A' | 'TXT' };
    }
    expect(pages).toEqual(all);
    await expect(
      r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordType: 'A' })),
    ).rejects.toBeInstanceOf(InvalidInput);
  });

  it('deletes a hosted zone only once it holds nothing but its SOA and NS', async () => {
    const zoneId = await newZone('delete.org', 'delete');
    await change(zoneId, { Action: 'CREATE', ResourceRecordSet: aRecord('www.delete.org', '192.0.2.1') });
    await expect(r53.send(new DeleteHostedZoneCommand({ Id: zoneId }))).rejects.toBeInstanceOf(
      HostedZoneNotEmpty,
    );
    await change(zoneId, { Action: 'DELETE', ResourceRecordSet: aRecord('www.delete.org', '192.0.2.1') });
    const out = await r53.send(new DeleteHostedZoneCommand({ Id: zoneId }));
    expect(out.ChangeInfo!.Status).toBe('PENDING');
    await expect(r53.send(new GetHostedZoneCommand({ Id: zoneId }))).rejects.toBeInstanceOf(NoSuchHostedZone);
  });
});

describe('Route 53 health checks', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let r53: Route53Client;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    r53 = new Route53Client(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('creates a health check with defaults, idempotently by caller reference', async () => {
    const input = {
      CallerReference: 'hc-1',
      HealthCheckConfig: {
        Type: 'HTTPS' as const,
        FullyQualifiedDomainName: 'api.example.net',
        ResourcePath: '/ping',
      },
    };
    const out = await r53.send(new CreateHealthCheckCommand(input));
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out.Location).toBe(`https://route53.amazonaws.com/2013-04-01/healthcheck/${out.HealthCheck!.Id}`);
    expect(out.HealthCheck).toMatchObject({
      CallerReference: 'hc-1',
      HealthCheckVersion: 1,
      HealthCheckConfig: {
        Type: 'HTTPS',
        Port: 443,
        RequestInterval: 30,
        FailureThreshold: 3,
        Inverted: false,
        Disabled: false,
      },
    });
    const again = await r53.send(new CreateHealthCheckCommand(input));
    expect(again.HealthCheck!.Id).toBe(out.HealthCheck!.Id);
    await expect(
      r53.send(
        new CreateHealthCheckCommand({
          ...input,
          HealthCheckConfig: { ...input.HealthCheckConfig, ResourcePath: '/other' },
        }),
      ),
    ).rejects.toBeInstanceOf(HealthCheckAlreadyExists);
    const got = await r53.send(new GetHealthCheckCommand({ HealthCheckId: out.HealthCheck!.Id }));
    expect(got.HealthCheck).toEqual(out.HealthCheck);
    const listed = await r53.send(new ListHealthChecksCommand({}));
    expect(listed.HealthChecks!.map((h) => h.Id)).toContain(out.HealthCheck!.Id);
    const count = await r53.send(new GetHealthCheckCountCommand({}));
    expect(count.HealthCheckCount).toBe(listed.HealthChecks!.length);
  });

  it('rejects invalid health check configurations', async () => {
    const create = (HealthCheckConfig: Record<string, unknown>) =>
      failure(
        r53.send(
          new CreateHealthCheckCommand({
            CallerReference: `bad-${Math.abs(JSON.stringify(HealthCheckConfig).length)}`,
            HealthCheckConfig: HealthCheckConfig as never,
          }),
        ),
      );
    const threshold = await create({ Type: 'HTTP', IPAddress: '192.0.2.10', FailureThreshold: 11 });
    expect(threshold).toBeInstanceOf(InvalidInput);
    expect(threshold.message).toContain('failureThreshold');
    expect(await create({ Type: 'HTTP' })).toBeInstanceOf(InvalidInput);
    expect(await create({ Type: 'HTTP', IPAddress: '192.0.2.10', RequestInterval: 20 })).toBeInstanceOf(
      InvalidInput,
    );
    expect(await create({ Type: 'TCP', IPAddress: 'not-an-ip' })).toBeInstanceOf(InvalidInput);
    expect(await create({ Type: 'HTTP_STR_MATCH', IPAddress: '192.0.2.10' })).toBeInstanceOf(InvalidInput);
    await expect(r53.send(new GetHealthCheckCommand({ HealthCheckId: 'nope' }))).rejects.toBeInstanceOf(
      NoSuchHealthCheck,
    );
  });

  it('updates with optimistic locking and resets elements', async () => {
    const out = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'hc-update',
        HealthCheckConfig: { Type: 'HTTP', IPAddress: '192.0.2.20', ResourcePath: '/health' },
      }),
    );
    const id = out.HealthCheck!.Id!;
    await expect(
      r53.send(
        new UpdateHealthCheckCommand({ HealthCheckId: id, HealthCheckVersion: 7, FailureThreshold: 5 }),
      ),
    ).rejects.toBeInstanceOf(HealthCheckVersionMismatch);
    const updated = await r53.send(
      new UpdateHealthCheckCommand({
        HealthCheckId: id,
        HealthCheckVersion: 1,
        FailureThreshold: 5,
        Inverted: true,
        ResetElements: ['ResourcePath'],
      }),
    );
    expect(updated.HealthCheck!.HealthCheckVersion).toBe(2);
    expect(updated.HealthCheck!.HealthCheckConfig).toMatchObject({ FailureThreshold: 5, Inverted: true });
    expect(updated.HealthCheck!.HealthCheckConfig!.ResourcePath).toBeUndefined();
    await expect(
      r53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, FailureThreshold: 0 })),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(
      r53.send(new UpdateHealthCheckCommand({ HealthCheckId: 'nope', FailureThreshold: 2 })),
    ).rejects.toBeInstanceOf(NoSuchHealthCheck);
  });

  it('refuses to delete a health check a record uses, and never reuses a deleted caller reference', async () => {
    const hc = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'hc-used',
        HealthCheckConfig: { Type: 'TCP', IPAddress: '192.0.2.30', Port: 22 },
      }),
    );
    const id = hc.HealthCheck!.Id!;
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'hc.org', CallerReference: 'hc-zone' }));
    const rs = {
      ...aRecord('www.hc.org', '192.0.2.30'),
      SetIdentifier: 'p',
      Failover: 'PRIMARY' as const,
      HealthCheckId: id,
    };
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone!.Id,
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: rs }] },
      }),
    );
    await expect(r53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }))).rejects.toBeInstanceOf(
      HealthCheckInUse,
    );
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone!.Id,
        ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: rs }] },
      }),
    );
    await r53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    await expect(r53.send(new GetHealthCheckCommand({ HealthCheckId: id }))).rejects.toBeInstanceOf(
      NoSuchHealthCheck,
    );
    await expect(
      r53.send(
        new CreateHealthCheckCommand({
          CallerReference: 'hc-used',
          HealthCheckConfig: { Type: 'TCP', IPAddress: '192.0.2.30', Port: 22 },
        }),
      ),
    ).rejects.toBeInstanceOf(HealthCheckAlreadyExists);
  });
});

describe('Route 53 health checkers and failover against the world', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let r53: Route53Client;
  let primaryId: string;
  let secondaryId: string;
  beforeAll(async () => {
    // Without the Auto Scaling group, stopped instances stay stopped until the test starts them.
    const world = await loadWorldFile();
    ({ sb, config } = await startSandbox({ world: { ...world, autoScaling: undefined } }));
    r53 = new Route53Client(config);
    const checks = (await r53.send(new ListHealthChecksCommand({}))).HealthChecks!;
    primaryId = checks.find((c) => c.CallerReference === 'faultline-primary')!.Id!;
    secondaryId = checks.find((c) => c.CallerReference === 'faultline-secondary')!.Id!;
  });
  afterAll(async () => {
    await sb.close();
  });

  async function reports(id: string): Promise<string[]> {
    const out = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
    return out.HealthCheckObservations!.map((o) => o.StatusReport!.Status!);
  }
  function statusPoints(id: string) {
    return sb.core.metrics.points(
      { namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimensions: { HealthCheckId: id } },
      0,
      Number.MAX_SAFE_INTEGER,
    );
  }

  it('sets up the world: health checks, a failover pair without them answering with PRIMARY, and its alarm', async () => {
    const route53 = route53Of(sb);
    expect(sb.core.alarms.get('checkout-primary-health')).toMatchObject({
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: primaryId }],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(route53.resolve('checkout.example.com')).toMatchObject({
      failover: 'PRIMARY',
      region: 'us-east-1',
      values: [`dualstack.${PRIMARY_ALB}.`],
    });
    const zoneId = (await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.com.' })))
      .HostedZones![0]!.Id!;
    const pair = (
      await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
    ).ResourceRecordSets!.filter((r) => r.Failover);
    expect(pair.map((r) => [r.Failover, r.AliasTarget?.DNSName, r.HealthCheckId])).toEqual([
      ['PRIMARY', `dualstack.${PRIMARY_ALB}.`, undefined],
      ['SECONDARY', 'dualstack.checkout-standby-alb.us-west-2.elb.amazonaws.com.', undefined],
    ]);
    const primary = await r53.send(new GetHealthCheckCommand({ HealthCheckId: primaryId }));
    expect(primary.HealthCheck!.HealthCheckConfig).toMatchObject({
      Type: 'HTTPS',
      FullyQualifiedDomainName: PRIMARY_ALB,
      Port: 443,
      ResourcePath: '/health',
      RequestInterval: 30,
      FailureThreshold: 3,
    });
    const observed = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: primaryId }));
    expect(observed.HealthCheckObservations!.length).toBe(16);
    expect(new Set(observed.HealthCheckObservations!.map((o) => o.Region)).size).toBe(8);
    expect(observed.HealthCheckObservations![0]!.StatusReport).toMatchObject({
      Status: 'Success: HTTP Status Code 200, OK',
    });
    expect(observed.HealthCheckObservations![0]!.StatusReport!.CheckedTime).toBeInstanceOf(Date);
    await expect(r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: 'nope' }))).rejects.toBeInstanceOf(
      NoSuchHealthCheck,
    );
  });

  it("goes unhealthy after FailureThreshold failed probes and alarms, but the world's record stays on PRIMARY", async () => {
    const route53 = route53Of(sb);
    const alarmArn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-primary-health';
    const lastFailures = async () =>
      (await r53.send(new GetHealthCheckLastFailureReasonCommand({ HealthCheckId: primaryId })))
        .HealthCheckObservations ?? [];
    expect(await lastFailures()).toEqual([]);
    await sb.clock.advance(60_000);
    expect(statusPoints(primaryId).at(-1)).toMatchObject({ min: 1, max: 1, unit: 'None' });
    await sb.clock.advance(10_000);
    expect(sb.core.alarms.stateOf(alarmArn)).toBe('OK');

    const ids = sb.world.instances().map((i) => i.id);
    sb.world.stopInstances(ids);
    await sb.clock.advance(60_000);
    // Two probes per checker so far: below the failure threshold of three.
    expect(route53.healthCheckHealthy(primaryId)).toBe(true);
    expect(await reports(primaryId)).toContain(
      'Failure: HTTP Status Code 503, Service Temporarily Unavailable',
    );
    await sb.clock.advance(35_000);
    expect(route53.healthCheckHealthy(primaryId)).toBe(false);
    expect(route53.healthCheckHealthy(secondaryId)).toBe(true);
    // No health check is associated with the pair: Route 53 keeps answering PRIMARY, and moving the
    // name is left to a person (the primary-region-failover runbook).
    expect(route53.resolve('checkout.example.com')).toMatchObject({
      failover: 'PRIMARY',
      region: 'us-east-1',
    });
    await sb.clock.advance(4 * 60_000);
    expect(sb.world.dnsActiveRegion()).toBe('us-east-1');
    expect(statusPoints(primaryId).at(-1)).toMatchObject({ min: 0, max: 0 });
    expect(statusPoints(secondaryId).at(-1)).toMatchObject({ min: 1 });
    expect(sb.core.alarms.stateOf(alarmArn)).toBe('ALARM');

    // A pair whose PRIMARY has its health check associated fails over by itself, as on AWS.
    const zoneId = (await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.com.' })))
      .HostedZones![0]!.Id!;
    const sets = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })))
      .ResourceRecordSets!;
    const primary = sets.find((r) => r.SetIdentifier === 'primary')!;
    const associate = (healthCheckId: string | undefined) =>
      r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Changes: [{ Action: 'UPSERT', ResourceRecordSet: { ...primary, HealthCheckId: healthCheckId } }],
          },
        }),
      );
    await associate(primaryId);
    await sb.clock.advance(60_000);
    expect(route53.resolve('checkout.example.com')).toMatchObject({
      failover: 'SECONDARY',
      region: 'us-west-2',
    });
    expect(sb.world.dnsActiveRegion()).toBe('us-west-2');
    const failures = await lastFailures();
    expect(failures).toHaveLength(16);
    expect(failures[0]).toMatchObject({
      Region: expect.any(String),
      IPAddress: expect.any(String),
      StatusReport: { Status: 'Failure: HTTP Status Code 503, Service Temporarily Unavailable' },
    });

    sb.world.startInstances(ids);
    await sb.clock.advance(8 * 60_000);
    expect(route53.healthCheckHealthy(primaryId)).toBe(true);
    expect(sb.world.dnsActiveRegion()).toBe('us-east-1');
    // Healthy again, the last failures are still there to read, as on Route 53.
    expect(await lastFailures()).toHaveLength(16);
    expect(await reports(primaryId)).not.toContain(
      'Failure: HTTP Status Code 503, Service Temporarily Unavailable',
    );
    expect(route53.resolve('checkout.example.com')).toMatchObject({
      failover: 'PRIMARY',
      region: 'us-east-1',
    });
    expect(statusPoints(primaryId).at(-1)).toMatchObject({ min: 1, max: 1 });
    expect(sb.core.alarms.stateOf(alarmArn)).toBe('OK');
    await associate(undefined);
    await sb.clock.advance(60_000);
  });

  it('treats a Disabled health check as healthy and inverts an Inverted one', async () => {
    const route53 = route53Of(sb);
    const create = async (ref: string, extra: Record<string, unknown>) =>
      (
        await r53.send(
          new CreateHealthCheckCommand({
            CallerReference: ref,
            HealthCheckConfig: {
              Type: 'HTTPS',
              FullyQualifiedDomainName: PRIMARY_ALB,
              FailureThreshold: 1,
              ...extra,
            },
          }),
        )
      ).HealthCheck!.Id!;
    const plain = await create('plain', {});
    const inverted = await create('inverted', { Inverted: true });
    const disabled = await create('disabled', { Disabled: true });
    expect(route53.healthCheckHealthy(plain)).toBe(true);
    expect(route53.healthCheckHealthy(inverted)).toBe(false);
    expect(route53.healthCheckHealthy(disabled)).toBe(true);

    const ids = sb.world.instances().map((i) => i.id);
    sb.world.stopInstances(ids);
    await sb.clock.advance(2 * 60_000);
    expect(route53.healthCheckHealthy(plain)).toBe(false);
    expect(route53.healthCheckHealthy(inverted)).toBe(true);
    expect(route53.healthCheckHealthy(disabled)).toBe(true);
    expect(statusPoints(inverted).at(-1)).toMatchObject({ max: 1 });
    expect(statusPoints(disabled).at(-1)).toMatchObject({ min: 1, max: 1 });

    // Enabling the disabled check lets its checkers judge the endpoint again.
    await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: disabled, Disabled: false }));
    await sb.clock.advance(60_000);
    expect(route53.healthCheckHealthy(disabled)).toBe(false);
    sb.world.startInstances(ids);
  });
  it('follows a CloudWatch alarm, and calculates a status from child health checks', async () => {
    const route53 = route53Of(sb);
    sb.core.alarms.putAlarm({
      AlarmName: 'route53-test-alarm',
      Namespace: 'Test',
      MetricName: 'Queue',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const metric = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'alarm-check',
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: 'us-east-1', Name: 'route53-test-alarm' },
          InsufficientDataHealthStatus: 'Unhealthy',
        },
      }),
    );
    const metricId = metric.HealthCheck!.Id!;
    expect(metric.HealthCheck!.CloudWatchAlarmConfiguration).toMatchObject({
      Namespace: 'Test',
      MetricName: 'Queue',
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(route53.healthCheckHealthy(metricId)).toBe(false);
    sb.core.alarms.setState('route53-test-alarm', 'OK', 'test');
    expect(route53.healthCheckHealthy(metricId)).toBe(true);
    sb.core.alarms.setState('route53-test-alarm', 'ALARM', 'test');
    expect(route53.healthCheckHealthy(metricId)).toBe(false);
    const status = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: metricId }));
    expect(status.HealthCheckObservations).toHaveLength(1);
    expect(status.HealthCheckObservations![0]!.StatusReport!.Status).toMatch(/^Failure/);

    // An endpoint outside the simulated world, which its checkers always find up.
    const external = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'external',
        HealthCheckConfig: { Type: 'HTTP', IPAddress: '192.0.2.44' },
      }),
    );
    const externalId = external.HealthCheck!.Id!;
    expect(route53.healthCheckHealthy(externalId)).toBe(true);
    const calculated = async (ref: string, threshold: number) =>
      (
        await r53.send(
          new CreateHealthCheckCommand({
            CallerReference: ref,
            HealthCheckConfig: {
              Type: 'CALCULATED',
              ChildHealthChecks: [externalId, metricId],
              HealthThreshold: threshold,
            },
          }),
        )
      ).HealthCheck!.Id!;
    expect(route53.healthCheckHealthy(await calculated('both', 2))).toBe(false);
    expect(route53.healthCheckHealthy(await calculated('either', 1))).toBe(true);
    await expect(
      r53.send(
        new CreateHealthCheckCommand({
          CallerReference: 'orphan',
          HealthCheckConfig: { Type: 'CALCULATED', ChildHealthChecks: ['nope'], HealthThreshold: 1 },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidInput);
    await expect(r53.send(new DeleteHealthCheckCommand({ HealthCheckId: metricId }))).rejects.toBeInstanceOf(
      HealthCheckInUse,
    );
  });
});

describe('Route 53 tags on health checks and hosted zones', () => {
  let sb: Sandbox;
  let r53: Route53Client;
  beforeAll(async () => {
    let config: ClientConfig;
    ({ sb, config } = await startSandbox());
    r53 = new Route53Client(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  async function newCheck(ref: string): Promise<string> {
    const out = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: ref,
        HealthCheckConfig: { Type: 'HTTP', IPAddress: '192.0.2.10' },
      }),
    );
    return out.HealthCheck!.Id!;
  }
  async function tagsOf(type: TagResourceType, id: string): Promise<Tag[] | undefined> {
    const out = await r53.send(new ListTagsForResourceCommand({ ResourceType: type, ResourceId: id }));
    return out.ResourceTagSet!.Tags;
  }
  function changeTags(type: TagResourceType, id: string, add?: Tag[], remove?: string[]) {
    return r53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: type,
        ResourceId: id,
        AddTags: add,
        RemoveTagKeys: remove,
      }),
    );
  }
  function tags(count: number, prefix = 'k'): Tag[] {
    return Array.from({ length: count }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));
  }

  it('names the world health checks <service>-primary and -secondary, so a game day finds them by Name', async () => {
    const checks = (await r53.send(new ListHealthChecksCommand({}))).HealthChecks!;
    const primaryId = checks.find((c) => c.CallerReference === 'faultline-primary')!.Id!;
    const secondaryId = checks.find((c) => c.CallerReference === 'faultline-secondary')!.Id!;
    const out = await r53.send(
      new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: [primaryId, secondaryId] }),
    );
    expect(out.ResourceTagSets).toEqual([
      {
        ResourceType: 'healthcheck',
        ResourceId: primaryId,
        Tags: [{ Key: 'Name', Value: 'checkout-primary' }],
      },
      {
        ResourceType: 'healthcheck',
        ResourceId: secondaryId,
        Tags: [{ Key: 'Name', Value: 'checkout-secondary' }],
      },
    ]);
    const found = await resolveHealthChecks(r53, ['checkout-primary', 'checkout-secondary', 'checkout-nope']);
    expect(Object.fromEntries(found)).toEqual({
      'checkout-primary': primaryId,
      'checkout-secondary': secondaryId,
      'checkout-nope': undefined,
    });
  });

  it('takes the Name tags from the world service name', async () => {
    const world = await loadWorldFile();
    const other = await startSandbox({
      world: { ...world, service: { ...world.service, name: 'payments' } },
    });
    try {
      const client = new Route53Client(other.config);
      const checks = (await client.send(new ListHealthChecksCommand({}))).HealthChecks!;
      const names = await client.send(
        new ListTagsForResourcesCommand({
          ResourceType: 'healthcheck',
          ResourceIds: checks.map((c) => c.Id!),
        }),
      );
      expect(names.ResourceTagSets!.map((s) => s.Tags![0]!.Value).sort()).toEqual([
        'payments-primary',
        'payments-secondary',
      ]);
    } finally {
      await other.sb.close();
    }
  });

  it('adds, overwrites and removes tags on a health check', async () => {
    const id = await newCheck('tagged-hc');
    expect(await tagsOf('healthcheck', id)).toEqual([]);
    await changeTags('healthcheck', id, [
      { Key: 'Name', Value: 'web' },
      { Key: 'Team', Value: 'sre' },
      { Key: 'Empty' },
    ]);
    expect(await tagsOf('healthcheck', id)).toEqual([
      { Key: 'Name', Value: 'web' },
      { Key: 'Team', Value: 'sre' },
      { Key: 'Empty', Value: '' },
    ]);
    // An existing key keeps its place with the new value; removing an absent key is not an error.
    await changeTags('healthcheck', id, [{ Key: 'Name', Value: 'web-2' }], ['Team', 'Absent']);
    expect(await tagsOf('healthcheck', id)).toEqual([
      { Key: 'Name', Value: 'web-2' },
      { Key: 'Empty', Value: '' },
    ]);
    await changeTags('healthcheck', id);
    await changeTags('healthcheck', id, undefined, ['Name', 'Empty']);
    expect(await tagsOf('healthcheck', id)).toEqual([]);
  });

  it('tags hosted zones, by bare id or /hostedzone/ id', async () => {
    const zone = await r53.send(
      new CreateHostedZoneCommand({ Name: 'tags.example', CallerReference: 'tags' }),
    );
    const fullId = zone.HostedZone!.Id!;
    const bareId = fullId.replace('/hostedzone/', '');
    await changeTags('hostedzone', fullId, [{ Key: 'Env', Value: 'test' }]);
    const out = await r53.send(
      new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: bareId }),
    );
    expect(out.ResourceTagSet).toEqual({
      ResourceType: 'hostedzone',
      ResourceId: bareId,
      Tags: [{ Key: 'Env', Value: 'test' }],
    });
    const many = await r53.send(
      new ListTagsForResourcesCommand({ ResourceType: 'hostedzone', ResourceIds: [bareId] }),
    );
    expect(many.ResourceTagSets![0]!.Tags).toEqual([{ Key: 'Env', Value: 'test' }]);
    // A health check's id is not a hosted zone's.
    const hc = await newCheck('not-a-zone');
    await expect(tagsOf('hostedzone', hc)).rejects.toBeInstanceOf(NoSuchHostedZone);
    await expect(tagsOf('healthcheck', bareId)).rejects.toBeInstanceOf(NoSuchHealthCheck);
  });

  it('answers unknown and deleted resources with NoSuchHealthCheck / NoSuchHostedZone', async () => {
    const unknownCheck = '00000000-0000-4000-8000-000000000000';
    await expect(tagsOf('healthcheck', unknownCheck)).rejects.toBeInstanceOf(NoSuchHealthCheck);
    await expect(changeTags('healthcheck', unknownCheck, tags(1))).rejects.toBeInstanceOf(NoSuchHealthCheck);
    await expect(tagsOf('hostedzone', 'Z0NOSUCHZONE')).rejects.toBeInstanceOf(NoSuchHostedZone);
    await expect(changeTags('hostedzone', 'Z0NOSUCHZONE', tags(1))).rejects.toBeInstanceOf(NoSuchHostedZone);
    const id = await newCheck('deleted-hc');
    await changeTags('healthcheck', id, tags(1));
    await r53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    await expect(tagsOf('healthcheck', id)).rejects.toBeInstanceOf(NoSuchHealthCheck);
    const known = await newCheck('known-hc');
    const err = await failure(
      r53.send(
        new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: [known, unknownCheck] }),
      ),
    );
    expect(err).toBeInstanceOf(NoSuchHealthCheck);
  });

  it('validates the resource type, list sizes, key and value lengths, changing nothing', async () => {
    const id = await newCheck('validated-hc');
    await changeTags('healthcheck', id, tags(6));
    const invalid = async (call: Promise<unknown>, message: RegExp) => {
      const err = await failure(call);
      expect(err).toBeInstanceOf(InvalidInput);
      expect(err.message).toMatch(message);
    };
    const badType = 'instance' as TagResourceType;
    await invalid(tagsOf(badType, id), /resourceType.*enum value set: \[healthcheck, hostedzone\]/);
    await invalid(changeTags(badType, id, tags(1)), /resourceType/);
    await invalid(
      r53.send(new ListTagsForResourcesCommand({ ResourceType: badType, ResourceIds: [id] })),
      /resourceType/,
    );
    await invalid(
      r53.send(
        new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: Array(11).fill(id) }),
      ),
      /resourceIds.*less than or equal to 10/,
    );
    await invalid(
      r53.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: [] })),
      /resourceIds/,
    );
    await invalid(tagsOf('healthcheck', 'x'.repeat(65)), /resourceId.*less than or equal to 64/);
    await invalid(changeTags('healthcheck', id, tags(11, 'n')), /addTags.*less than or equal to 10/);
    await invalid(
      changeTags(
        'healthcheck',
        id,
        undefined,
        tags(11).map((t) => t.Key!),
      ),
      /removeTagKeys/,
    );
    // Six tags plus five new keys would be eleven on the resource.
    await invalid(changeTags('healthcheck', id, tags(5, 'n')), /at most 10 tags/);
    await invalid(
      changeTags('healthcheck', id, [{ Key: 'k'.repeat(129), Value: 'v' }]),
      /addTags\.1\.member\.key/,
    );
    await invalid(
      changeTags('healthcheck', id, [{ Key: 'ok', Value: 'v'.repeat(257) }]),
      /addTags\.1\.member\.value.*less than or equal to 256/,
    );
    await invalid(
      changeTags('healthcheck', id, [{ Value: 'no key' }]),
      /addTags\.1\.member\.key.*not be null/,
    );
    await invalid(changeTags('healthcheck', id, [tags(1)[0]!, tags(1)[0]!]), /more than once/);
    await invalid(changeTags('healthcheck', id, tags(1, 'n'), ['n0']), /both added and removed/);
    expect(await tagsOf('healthcheck', id)).toEqual(tags(6));
    // Swapping keys within the limit is fine: remove four, add four.
    await changeTags('healthcheck', id, tags(4, 'n'), ['k0', 'k1', 'k2', 'k3']);
    expect((await tagsOf('healthcheck', id))!.map((t) => t.Key)).toEqual([
      'k4',
      'k5',
      'n0',
      'n1',
      'n2',
      'n3',
    ]);
    await changeTags('healthcheck', id, tags(4, 'm'));
    expect(await tagsOf('healthcheck', id)).toHaveLength(10);
  });
});

describe('Route 53 state between runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-route53-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps zones, records, health checks, changes and tags, and sets the world up only once', async () => {
    const first = await startSandbox({ stateDir: dir });
    const r53 = new Route53Client(first.config);
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'kept.org', CallerReference: 'kept' }));
    const changed = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone.HostedZone!.Id,
        ChangeBatch: {
          Changes: [{ Action: 'CREATE', ResourceRecordSet: aRecord('www.kept.org', '192.0.2.7') }],
        },
      }),
    );
    const hc = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'kept-hc',
        HealthCheckConfig: { Type: 'HTTP', IPAddress: '192.0.2.7' },
      }),
    );
    await r53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'healthcheck',
        ResourceId: hc.HealthCheck!.Id,
        AddTags: [{ Key: 'Owner', Value: 'sre' }],
      }),
    );
    await r53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'hostedzone',
        ResourceId: zone.HostedZone!.Id,
        AddTags: [{ Key: 'Env', Value: 'kept' }],
      }),
    );
    // The world's setup runs once: a Name tag removed now must not come back on the next start.
    const secondaryId = (await r53.send(new ListHealthChecksCommand({}))).HealthChecks!.find(
      (c) => c.CallerReference === 'faultline-secondary',
    )!.Id!;
    await r53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'healthcheck',
        ResourceId: secondaryId,
        RemoveTagKeys: ['Name'],
      }),
    );
    const zonesBefore = await r53.send(new ListHostedZonesCommand({}));
    await first.sb.close();

    const second = await startSandbox({ stateDir: dir });
    const again = new Route53Client(second.config);
    try {
      const zonesAfter = await again.send(new ListHostedZonesCommand({}));
      expect(zonesAfter.HostedZones).toEqual(zonesBefore.HostedZones);
      const records = await again.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zone.HostedZone!.Id }),
      );
      expect(records.ResourceRecordSets!.map((r) => r.Name)).toContain('www.kept.org.');
      const got = await again.send(new GetHealthCheckCommand({ HealthCheckId: hc.HealthCheck!.Id }));
      expect(got.HealthCheck!.CallerReference).toBe('kept-hc');
      const status = await again.send(new GetChangeCommand({ Id: changed.ChangeInfo!.Id }));
      expect(status.ChangeInfo!.Id).toBe(changed.ChangeInfo!.Id);
      const tagSets = await again.send(
        new ListTagsForResourcesCommand({
          ResourceType: 'healthcheck',
          ResourceIds: [hc.HealthCheck!.Id!, secondaryId],
        }),
      );
      expect(tagSets.ResourceTagSets!.map((t) => t.Tags)).toEqual([[{ Key: 'Owner', Value: 'sre' }], []]);
      const zoneTags = await again.send(
        new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: zone.HostedZone!.Id }),
      );
      expect(zoneTags.ResourceTagSet!.Tags).toEqual([{ Key: 'Env', Value: 'kept' }]);
    } finally {
      await second.sb.close();
    }
  });
});
