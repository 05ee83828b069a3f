import { isIP } from 'node:net';
import type { Route53Context } from './context.ts';
import { type HealthCheckConfig, healthCheckTypes, insufficientDataStatuses } from './model.ts';
import {
  boolean,
  child,
  constraintError,
  integer,
  invalidInput,
  oneOf,
  requiredText,
  text,
  textList,
  type XmlNode,
} from './wire.ts';

/** The regions Route 53 runs health checkers in; a check uses all of them unless `Regions` says otherwise. */
export const CHECKER_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;

type ConfigFields = Partial<HealthCheckConfig>;

/**
 * Reads the health-check fields present in a CreateHealthCheck `HealthCheckConfig` or an
 * UpdateHealthCheckRequest (which carries the same elements at its top level). `path` is the
 * prefix Route 53 uses in validation messages.
 */
export function readConfigFields(node: XmlNode, path: string): ConfigFields {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const fields: ConfigFields = {};
  const type = oneOf(node, 'Type', at('type'), healthCheckTypes);
  if (type) fields.type = type;
  const ipAddress = text(node, 'IPAddress');
  if (ipAddress !== undefined) {
    if (isIP(ipAddress) === 0) {
      throw constraintError(at('iPAddress'), ipAddress, 'Member must be a valid IPv4 or IPv6 address');
    }
    fields.ipAddress = ipAddress;
  }
  const port = integer(node, 'Port', at('port'), { min: 1, max: 65535 });
  if (port !== undefined) fields.port = port;
  for (const [key, field] of [
    ['ResourcePath', 'resourcePath'],
    ['FullyQualifiedDomainName', 'fullyQualifiedDomainName'],
    ['SearchString', 'searchString'],
  ] as const) {
    const value = text(node, key);
    if (value === undefined) continue;
    if (value.length > 255) {
      throw constraintError(at(field), value, 'Member must have length less than or equal to 255');
    }
    fields[field] = value;
  }
  const requestInterval = integer(node, 'RequestInterval', at('requestInterval'), { min: 10, max: 30 });
  if (requestInterval !== undefined) fields.requestInterval = requestInterval;
  const failureThreshold = integer(node, 'FailureThreshold', at('failureThreshold'), { min: 1, max: 10 });
  if (failureThreshold !== undefined) fields.failureThreshold = failureThreshold;
  const healthThreshold = integer(node, 'HealthThreshold', at('healthThreshold'), { min: 0, max: 256 });
  if (healthThreshold !== undefined) fields.healthThreshold = healthThreshold;
  for (const [key, field] of [
    ['MeasureLatency', 'measureLatency'],
    ['Inverted', 'inverted'],
    ['Disabled', 'disabled'],
    ['EnableSNI', 'enableSNI'],
  ] as const) {
    const value = boolean(node, key, at(field));
    if (value !== undefined) fields[field] = value;
  }
  const children = textList(node, 'ChildHealthChecks', 'ChildHealthCheck');
  if (children !== undefined) fields.childHealthChecks = children;
  const regions = textList(node, 'Regions', 'Region');
  if (regions !== undefined) fields.regions = regions;
  const alarm = child(node, 'AlarmIdentifier');
  if (alarm) {
    fields.alarmIdentifier = {
      region: requiredText(alarm, 'Region', at('alarmIdentifier.region')),
      name: requiredText(alarm, 'Name', at('alarmIdentifier.name')),
    };
  }
  const insufficient = oneOf(
    node,
    'InsufficientDataHealthStatus',
    at('insufficientDataHealthStatus'),
    insufficientDataStatuses,
  );
  if (insufficient) fields.insufficientDataHealthStatus = insufficient;
  const routingControlArn = text(node, 'RoutingControlArn');
  if (routingControlArn !== undefined) fields.routingControlArn = routingControlArn;
  return fields;
}

/** A new health check's configuration: Route 53's defaults filled in, then checked as a whole. */
export function newConfig(ctx: Route53Context, fields: ConfigFields): HealthCheckConfig {
  if (!fields.type) throw constraintError('healthCheckConfig.type', 'null', 'Member must not be null');
  const type = fields.type;
  const https = type === 'HTTPS' || type === 'HTTPS_STR_MATCH';
  const http = type === 'HTTP' || type === 'HTTP_STR_MATCH';
  const config: HealthCheckConfig = {
    ...fields,
    type,
    requestInterval: fields.requestInterval ?? 30,
    failureThreshold: fields.failureThreshold ?? 3,
    measureLatency: fields.measureLatency ?? false,
    inverted: fields.inverted ?? false,
    disabled: fields.disabled ?? false,
  };
  if (config.port === undefined && (http || https)) config.port = https ? 443 : 80;
  if (config.enableSNI === undefined && (http || https)) config.enableSNI = https;
  if (type === 'CLOUDWATCH_METRIC' && !config.insufficientDataHealthStatus) {
    config.insufficientDataHealthStatus = 'LastKnownStatus';
  }
  checkConfig(ctx, config, undefined);
  return config;
}

/** Route 53's rules across fields, per health-check type. `self` is the check being updated. */
export function checkConfig(ctx: Route53Context, config: HealthCheckConfig, self: string | undefined): void {
  const { type } = config;
  if (config.requestInterval !== 10 && config.requestInterval !== 30) {
    throw invalidInput('Invalid parameter: RequestInterval must be either 10 or 30 seconds');
  }
  if (type === 'RECOVERY_CONTROL') {
    throw invalidInput(
      'Invalid request: RECOVERY_CONTROL health checks are not emulated by the faultline sandbox',
    );
  }
  const endpoint = !['CALCULATED', 'CLOUDWATCH_METRIC'].includes(type);
  if (endpoint && config.ipAddress === undefined && !config.fullyQualifiedDomainName) {
    throw invalidInput(
      `Invalid request: Expected at least one of [IPAddress, FullyQualifiedDomainName], but found none for a health check of type ${type}`,
    );
  }
  if (type === 'TCP' && config.port === undefined) {
    throw invalidInput('Invalid request: Port is required for a health check of type TCP');
  }
  if ((type === 'HTTP_STR_MATCH' || type === 'HTTPS_STR_MATCH') && !config.searchString) {
    throw invalidInput(`Invalid request: SearchString is required for a health check of type ${type}`);
  }
  if (type === 'CALCULATED') {
    if (config.healthThreshold === undefined) {
      throw invalidInput(
        'Invalid request: HealthThreshold is required for a health check of type CALCULATED',
      );
    }
    const children = config.childHealthChecks ?? [];
    if (children.length > 256) {
      throw constraintError(
        'childHealthChecks',
        children.length,
        'Member must have length less than or equal to 256',
      );
    }
    for (const id of children) {
      if (id === self || !ctx.state.healthChecks.has(id)) {
        throw invalidInput(`Invalid request: the child health check ${id} does not exist`);
      }
    }
  }
  if (type === 'CLOUDWATCH_METRIC' && !config.alarmIdentifier) {
    throw invalidInput(
      'Invalid request: AlarmIdentifier is required for a health check of type CLOUDWATCH_METRIC',
    );
  }
  if (config.regions !== undefined) {
    const unknown = config.regions.find((r) => !(CHECKER_REGIONS as readonly string[]).includes(r));
    if (unknown !== undefined) {
      throw constraintError(
        'regions',
        unknown,
        `Member must satisfy enum value set: [${CHECKER_REGIONS.join(', ')}]`,
      );
    }
    if (new Set(config.regions).size < 3) {
      throw invalidInput('Invalid request: you must specify at least three health checker regions');
    }
  }
}
