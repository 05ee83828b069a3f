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
export const PRIMARY_HEALTH_ALARM = 'checkout-primary-health';

/**
 * The world's DNS as a team would have set it up: the hosted zone, an HTTPS health check on each
 * region's load balancer (tagged `Name=<service>-primary` / `-secondary`), and a failover pair of
 * alias records for the service's name (PRIMARY on this region's load balancer, SECONDARY on the
 * standby's). Runs once per state folder; the world starts in steady state, so the records are
 * already served.
 */
export function setUpWorldDns(ctx: Route53Context): void {
  const world = ctx.core.world;
  const dns = world.def.dns;
  if (!dns || ctx.state.zoneCallerReferences.has(WORLD_ZONE_REFERENCE)) return;
  const zone = addHostedZone(ctx, {
    name: dns.zoneName,
    callerReference: WORLD_ZONE_REFERENCE,
    comment: `${world.def.name} service (created by the faultline sandbox)`,
  });
  const primaryHost = `${world.def.loadBalancer.name}.${world.region}.elb.amazonaws.com`;
  const secondaryHost = `${world.def.service.name}-standby.${dns.secondaryRegion}.elb.amazonaws.com`;
  const primary = addHealthCheck(ctx, PRIMARY_CHECK_REFERENCE, httpsCheck(primaryHost)).check;
  const secondary = addHealthCheck(ctx, SECONDARY_CHECK_REFERENCE, httpsCheck(secondaryHost)).check;
  // Named as the console names them, so experiments can refer to `checkout-primary` rather than a UUID.
  primary.tags = [{ key: 'Name', value: `${world.def.service.name}-primary` }];
  secondary.tags = [{ key: 'Name', value: `${world.def.service.name}-secondary` }];
  const failoverRecord = (
    role: 'PRIMARY' | 'SECONDARY',
    host: string,
    region: string,
    healthCheckId: string,
  ): RecordSet => ({
    name: absoluteName(dns.recordName),
    type: 'A',
    setIdentifier: role.toLowerCase(),
    failover: role,
    aliasTarget: {
      hostedZoneId: loadBalancerHostedZone(region),
      dnsName: `dualstack.${host}.`,
      evaluateTargetHealth: false,
    },
    healthCheckId,
  });
  try {
    zone.records = applyChangeBatch(ctx, zone, [
      { action: 'CREATE', recordSet: failoverRecord('PRIMARY', primaryHost, world.region, primary.id) },
      {
        action: 'CREATE',
        recordSet: failoverRecord('SECONDARY', secondaryHost, dns.secondaryRegion, secondary.id),
      },
    ]);
  } catch (e) {
    throw new Error(`the world's dns section cannot be set up in Route 53: ${(e as Error).message}`);
  }
  zone.served = zone.records;
}

/** The alarm on the primary health check that the game day and remediation flows watch. */
export function ensurePrimaryHealthAlarm(ctx: Route53Context): void {
  const world = ctx.core.world;
  const primary = [...ctx.state.healthChecks.values()].find(
    (c) => c.callerReference === PRIMARY_CHECK_REFERENCE,
  );
  if (!world.def.dns || !primary) return;
  // The alarm engine keeps its own alarms between runs; only a missing alarm is created.
  if (ctx.core.alarms.get(PRIMARY_HEALTH_ALARM) !== undefined) return;
  ctx.core.alarms.putAlarm({
    AlarmName: PRIMARY_HEALTH_ALARM,
    AlarmDescription: `Route 53 health check of ${world.def.loadBalancer.name} in ${world.region} is failing`,
    Namespace: 'AWS/Route53',
    MetricName: 'HealthCheckStatus',
    Dimensions: [{ Name: 'HealthCheckId', Value: primary.id }],
    Statistic: 'Minimum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
  });
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
