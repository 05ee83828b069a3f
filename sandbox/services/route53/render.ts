import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { type ChangeStatus, changeStatus } from './changes.ts';
import type { ChangeRecord, HealthCheck, HostedZone, RecordSet } from './model.ts';

/** The sandbox's records as Route 53's XML elements (toXml turns these objects into elements). */

export function hostedZoneXml(zone: HostedZone): Record<string, unknown> {
  return {
    Id: `/hostedzone/${zone.id}`,
    Name: zone.name,
    CallerReference: zone.callerReference,
    Config: {
      ...(zone.comment !== undefined ? { Comment: zone.comment } : {}),
      PrivateZone: zone.privateZone,
    },
    ResourceRecordSetCount: zone.records.length,
  };
}

export function delegationSetXml(zone: HostedZone): Record<string, unknown> {
  return { NameServers: { NameServer: zone.nameServers } };
}

export function changeInfoXml(change: ChangeRecord, now: number): Record<string, unknown> {
  const status: ChangeStatus = changeStatus(change, now);
  return {
    Id: `/change/${change.id}`,
    Status: status,
    SubmittedAt: new Date(change.submittedAt),
    Comment: change.comment,
  };
}

export function recordSetXml(rs: RecordSet): Record<string, unknown> {
  return {
    Name: rs.name,
    Type: rs.type,
    SetIdentifier: rs.setIdentifier,
    Weight: rs.weight,
    Region: rs.region,
    Failover: rs.failover,
    MultiValueAnswer: rs.multiValueAnswer,
    TTL: rs.ttl,
    ResourceRecords: rs.values ? { ResourceRecord: rs.values.map((Value) => ({ Value })) } : undefined,
    AliasTarget: rs.aliasTarget
      ? {
          HostedZoneId: rs.aliasTarget.hostedZoneId,
          DNSName: rs.aliasTarget.dnsName,
          EvaluateTargetHealth: rs.aliasTarget.evaluateTargetHealth,
        }
      : undefined,
    HealthCheckId: rs.healthCheckId,
  };
}

/**
 * A health check as Route 53 returns it. A CLOUDWATCH_METRIC check also shows the configuration of
 * the alarm it follows, when that alarm exists.
 */
export function healthCheckXml(check: HealthCheck, alarm?: MetricAlarm): Record<string, unknown> {
  const c = check.config;
  return {
    Id: check.id,
    CallerReference: check.callerReference,
    HealthCheckConfig: {
      IPAddress: c.ipAddress,
      Port: c.port,
      Type: c.type,
      ResourcePath: c.resourcePath,
      FullyQualifiedDomainName: c.fullyQualifiedDomainName,
      SearchString: c.searchString,
      RequestInterval:
        c.type === 'CALCULATED' || c.type === 'CLOUDWATCH_METRIC' ? undefined : c.requestInterval,
      FailureThreshold:
        c.type === 'CALCULATED' || c.type === 'CLOUDWATCH_METRIC' ? undefined : c.failureThreshold,
      MeasureLatency: c.measureLatency,
      Inverted: c.inverted,
      Disabled: c.disabled,
      HealthThreshold: c.healthThreshold,
      ChildHealthChecks: c.childHealthChecks ? { ChildHealthCheck: c.childHealthChecks } : undefined,
      EnableSNI: c.enableSNI,
      Regions: c.regions ? { Region: c.regions } : undefined,
      AlarmIdentifier: c.alarmIdentifier
        ? { Region: c.alarmIdentifier.region, Name: c.alarmIdentifier.name }
        : undefined,
      InsufficientDataHealthStatus: c.insufficientDataHealthStatus,
      RoutingControlArn: c.routingControlArn,
    },
    HealthCheckVersion: check.version,
    CloudWatchAlarmConfiguration: alarm ? alarmConfigurationXml(alarm) : undefined,
  };
}

function alarmConfigurationXml(alarm: MetricAlarm): Record<string, unknown> {
  return {
    EvaluationPeriods: alarm.EvaluationPeriods,
    Threshold: alarm.Threshold,
    ComparisonOperator: alarm.ComparisonOperator,
    Period: alarm.Period,
    MetricName: alarm.MetricName,
    Namespace: alarm.Namespace,
    Statistic: alarm.Statistic,
    Dimensions: alarm.Dimensions?.length
      ? { Dimension: alarm.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })) }
      : undefined,
  };
}
