import type { WorldDefinition } from '../../world/schema.ts';
import { applyChangeBatch } from './change-batch.ts';
import type { Route53Context } from './context.ts';
import { addHealthCheck } from './health-checks.ts';
import type { HealthCheckConfig, RecordSet } from './model.ts';
import { absoluteName, loadBalancerHostedZone } from './names.ts';
import { addHostedZone } from './zones.ts';

/** Caller references of what the sandbox creates for the world, so they are found again after a restart. */
export const WORLD_ZONE_REFERENCE = 'faultline-zone';
export const PRIMARY_CHECK_REFERENCE = 'faultline-primary';
export const SECONDARY_CHECK_REFERENCE = 'faultline-secondary';

/**
 * The alarms the sandbox puts on the world's two health checks, named after its service (e.g.
 * `checkout-primary-health`); none when the world has no `dns` section.
 */
export function worldHealthAlarmNames(
  def: WorldDefinition,
): { primary: string; secondary: string } | undefined {
  if (!def.dns) return undefined;
  return { primary: `${def.service.name}-primary-health`, secondary: `${def.service.name}-secondary-health` };
}

/**
 * The world's DNS as a team sets it up when leaving a region is a person's decision: the hosted
 * zone, an HTTPS health check on each region's load balancer (tagged `Name=<service>-primary` /
 * `-secondary`) that alarms watch, and a failover pair of alias records for the service's name
 * (PRIMARY on this region's load balancer, SECONDARY on the standby's) with no health check
 * associated. Route 53 treats a failover record without a health check as healthy, so it answers
 * PRIMARY whatever the primary's health check says, until a change to the records moves the name
 * (the primary-region-failover runbook, once approved). Runs once per state folder; the world
 * starts in steady state, so the records are already served.
 */
export function setUpWorldDns(ctx: Route53Context): void {
  const world = ctx.core.world;
  const dns = world.def.dns;
  const standby = world.def.standby;
  const lb = world.def.loadBalancer;
  if (!dns || !standby || !lb || ctx.state.zoneCallerReferences.has(WORLD_ZONE_REFERENCE)) return;
  const zone = addHostedZone(ctx, {
    name: dns.zoneName,
    callerReference: WORLD_ZONE_REFERENCE,
    comment: `${world.def.name} service (created by the faultline sandbox)`,
  });
  const primaryHost = `${lb.name}.${world.region}.elb.amazonaws.com`;
  const secondaryHost = `${standby.loadBalancer.name}.${standby.region}.elb.amazonaws.com`;
  const primary = addHealthCheck(ctx, PRIMARY_CHECK_REFERENCE, httpsCheck(primaryHost)).check;
  const secondary = addHealthCheck(ctx, SECONDARY_CHECK_REFERENCE, httpsCheck(secondaryHost)).check;
  // Named as the console names them, so experiments can refer to `checkout-primary` rather than a UUID.
  primary.tags = [{ key: 'Name', value: `${world.def.service.name}-primary` }];
  secondary.tags = [{ key: 'Name', value: `${world.def.service.name}-secondary` }];
  const failoverRecord = (role: 'PRIMARY' | 'SECONDARY', host: string, region: string): RecordSet => ({
    name: absoluteName(dns.recordName),
    type: 'A',
    setIdentifier: role.toLowerCase(),
    failover: role,
    aliasTarget: {
      hostedZoneId: loadBalancerHostedZone(region),
      dnsName: `dualstack.${host}.`,
      evaluateTargetHealth: false,
    },
  });
  try {
    zone.records = applyChangeBatch(ctx, zone, [
      { action: 'CREATE', recordSet: failoverRecord('PRIMARY', primaryHost, world.region) },
      { action: 'CREATE', recordSet: failoverRecord('SECONDARY', secondaryHost, standby.region) },
    ]);
  } catch (e) {
    throw new Error(`the world's dns section cannot be set up in Route 53: ${(e as Error).message}`);
  }
  zone.served = zone.records;
}

/**
 * The alarms on the two health checks: the primary's starts the remediation that asks a person to
 * fail over; the secondary's is a regional drill's stop condition (the standby itself failing).
 */
export function ensureHealthAlarms(ctx: Route53Context): void {
  const world = ctx.core.world;
  const names = worldHealthAlarmNames(world.def);
  if (!names) return;
  const checks = [...ctx.state.healthChecks.values()];
  const pairs = [
    {
      name: names.primary,
      reference: PRIMARY_CHECK_REFERENCE,
      what: `${world.def.loadBalancer?.name} in ${world.region}`,
    },
    {
      name: names.secondary,
      reference: SECONDARY_CHECK_REFERENCE,
      what: `the standby in ${world.def.standby?.region}`,
    },
  ];
  for (const { name, reference, what } of pairs) {
    const check = checks.find((c) => c.callerReference === reference);
    // The alarm engine keeps its own alarms between runs; only a missing alarm is created.
    if (!check || ctx.core.alarms.get(name) !== undefined) continue;
    ctx.core.alarms.putAlarm({
      AlarmName: name,
      AlarmDescription: `Route 53 health check of ${what} is failing`,
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: check.id }],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  }
}

function httpsCheck(host: string): HealthCheckConfig {
  return {
    type: 'HTTPS',
    fullyQualifiedDomainName: host,
    port: 443,
    resourcePath: '/health',
    requestInterval: 30,
    failureThreshold: 3,
    measureLatency: false,
    inverted: false,
    disabled: false,
    enableSNI: true,
  };
}
