import { RawResponse } from '../../protocol/rest-xml.ts';
import { AwsError } from '../../protocol/types.ts';
import { toXml } from '../../protocol/xml.ts';
import { newCheckers } from './checkers.ts';
import type { Route53Context } from './context.ts';
import { checkConfig, newConfig, readConfigFields } from './health-check-config.ts';
import { healthCheckId } from './ids.ts';
import type { HealthCheck, HealthCheckConfig } from './model.ts';
import { healthCheckXml } from './render.ts';
import {
  child,
  constraintError,
  integer,
  invalidInput,
  maxItems,
  ROUTE53_XMLNS,
  readBody,
  requiredText,
  textList,
} from './wire.ts';

/** Route 53 answers at most this many health checks per ListHealthChecks call. */
const MAX_HEALTH_CHECKS_PER_PAGE = 1000;

/** Elements UpdateHealthCheck can reset to their defaults with ResetElements. */
const RESETTABLE = ['FullyQualifiedDomainName', 'Regions', 'ResourcePath', 'ChildHealthChecks'] as const;

/** The health check as Route 53 returns it, with the alarm a CLOUDWATCH_METRIC check follows. */
function healthCheckOutput(ctx: Route53Context, check: HealthCheck): Record<string, unknown> {
  const alarm = check.config.alarmIdentifier;
  const arn = alarm && `arn:aws:cloudwatch:${alarm.region}:${ctx.core.world.accountId}:alarm:${alarm.name}`;
  const name = arn && ctx.core.alarms.nameFromArn(arn);
  return healthCheckXml(check, name ? ctx.core.alarms.get(name) : undefined);
}

export function requireHealthCheck(ctx: Route53Context, id: string): HealthCheck {
  const check = ctx.state.healthChecks.get(id);
  if (!check)
    throw new AwsError('NoSuchHealthCheck', `No health check exists with the specified ID ${id}`, 404);
  return check;
}

/**
 * Creates a health check, or returns the existing one when the caller reference and the settings
 * are the same (Route 53's idempotency). Shared by CreateHealthCheck and the world's DNS setup.
 */
export function addHealthCheck(
  ctx: Route53Context,
  callerReference: string,
  config: HealthCheckConfig,
): { check: HealthCheck; created: boolean } {
  const id = healthCheckId(callerReference);
  const existing = ctx.state.healthChecks.get(id);
  if (existing && canonical(existing.config) === canonical(config))
    return { check: existing, created: false };
  if (existing || ctx.state.deletedHealthCheckCallerReferences.has(callerReference)) {
    throw new AwsError(
      'HealthCheckAlreadyExists',
      `A health check with caller reference ${callerReference} already exists with different settings, or was deleted; use a new caller reference.`,
      409,
    );
  }
  const check: HealthCheck = {
    id,
    callerReference,
    version: 1,
    config,
    createdAt: ctx.core.clock.now(),
    checkers: newCheckers(config),
    nextChecker: 0,
    lastKnownHealthy: true,
    tags: [],
  };
  ctx.state.healthChecks.set(id, check);
  ctx.checkers.scheduled(check);
  return { check, created: true };
}

export function createHealthCheck(ctx: Route53Context, body: Buffer): RawResponse {
  const req = readBody(body, 'CreateHealthCheckRequest');
  const callerReference = requiredText(req, 'CallerReference', 'callerReference');
  if (callerReference.length > 64) {
    throw constraintError(
      'callerReference',
      callerReference,
      'Member must have length less than or equal to 64',
    );
  }
  const configNode = child(req, 'HealthCheckConfig');
  if (!configNode) throw constraintError('healthCheckConfig', 'null', 'Member must not be null');
  const config = newConfig(ctx, readConfigFields(configNode, 'healthCheckConfig'));
  const { check } = addHealthCheck(ctx, callerReference, config);
  return new RawResponse(
    201,
    { location: `https://route53.amazonaws.com/2013-04-01/healthcheck/${check.id}` },
    toXml({
      CreateHealthCheckResponse: { '@_xmlns': ROUTE53_XMLNS, HealthCheck: healthCheckOutput(ctx, check) },
    }),
  );
}

export function getHealthCheck(ctx: Route53Context, id: string): Record<string, unknown> {
  return {
    GetHealthCheckResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      HealthCheck: healthCheckOutput(ctx, requireHealthCheck(ctx, id)),
    },
  };
}

export function getHealthCheckCount(ctx: Route53Context): Record<string, unknown> {
  return {
    GetHealthCheckCountResponse: { '@_xmlns': ROUTE53_XMLNS, HealthCheckCount: ctx.state.healthChecks.size },
  };
}

export function listHealthChecks(ctx: Route53Context, query: URLSearchParams): Record<string, unknown> {
  const limit = maxItems(query, MAX_HEALTH_CHECKS_PER_PAGE);
  const marker = query.get('marker') ?? undefined;
  const checks = [...ctx.state.healthChecks.values()];
  let start = 0;
  if (marker !== undefined) {
    start = checks.findIndex((c) => c.id === marker);
    if (start < 0) throw invalidInput(`Invalid marker: ${marker}`);
  }
  const page = checks.slice(start, start + limit);
  const next = checks[start + limit];
  return {
    ListHealthChecksResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      HealthChecks: { HealthCheck: page.map((c) => healthCheckOutput(ctx, c)) },
      Marker: marker ?? '',
      IsTruncated: next !== undefined,
      NextMarker: next?.id,
      MaxItems: limit,
    },
  };
}

/**
 * UpdateHealthCheck: only the elements present change; HealthCheckVersion, when given, must be the
 * current version (optimistic locking); Type and RequestInterval cannot change.
 */
export function updateHealthCheck(ctx: Route53Context, id: string, body: Buffer): Record<string, unknown> {
  const check = requireHealthCheck(ctx, id);
  const req = readBody(body, 'UpdateHealthCheckRequest');
  const version = integer(req, 'HealthCheckVersion', 'healthCheckVersion', { min: 1 });
  if (version !== undefined && version !== check.version) {
    throw new AwsError(
      'HealthCheckVersionMismatch',
      `The value of HealthCheckVersion in the request (${version}) doesn't match the current version of the health check (${check.version}).`,
      409,
    );
  }
  const fields = readConfigFields(req, '');
  const resets = textList(req, 'ResetElements', 'ResettableElementName') ?? [];
  const config: HealthCheckConfig = { ...check.config, ...fields };
  for (const element of resets) {
    if (!(RESETTABLE as readonly string[]).includes(element)) {
      throw constraintError(
        'resetElements',
        element,
        `Member must satisfy enum value set: [${RESETTABLE.join(', ')}]`,
      );
    }
    if (element === 'FullyQualifiedDomainName') delete config.fullyQualifiedDomainName;
    if (element === 'Regions') delete config.regions;
    if (element === 'ResourcePath') delete config.resourcePath;
    if (element === 'ChildHealthChecks') delete config.childHealthChecks;
  }
  checkConfig(ctx, config, check.id);
  const regionsChanged = JSON.stringify(config.regions) !== JSON.stringify(check.config.regions);
  check.config = config;
  check.version += 1;
  if (regionsChanged) {
    check.checkers = newCheckers(config);
    check.nextChecker = 0;
    ctx.checkers.scheduled(check);
  }
  return {
    UpdateHealthCheckResponse: { '@_xmlns': ROUTE53_XMLNS, HealthCheck: healthCheckOutput(ctx, check) },
  };
}

/** A health check still used by a record set or a calculated health check cannot be deleted. */
export function deleteHealthCheck(ctx: Route53Context, id: string): Record<string, unknown> {
  const check = requireHealthCheck(ctx, id);
  for (const zone of ctx.state.zones.values()) {
    const user = zone.records.find((r) => r.healthCheckId === id);
    if (user) {
      throw new AwsError(
        'HealthCheckInUse',
        `The health check with ID ${id} is still referenced from parameter HealthCheckId of the resource record set ${user.name} (type ${user.type}) in hosted zone ${zone.id}.`,
        400,
      );
    }
  }
  const parent = [...ctx.state.healthChecks.values()].find((c) => c.config.childHealthChecks?.includes(id));
  if (parent) {
    throw new AwsError(
      'HealthCheckInUse',
      `The health check with ID ${id} is a child of the calculated health check ${parent.id}.`,
      400,
    );
  }
  ctx.checkers.unscheduled(check);
  ctx.state.healthChecks.delete(id);
  ctx.state.deletedHealthCheckCallerReferences.add(check.callerReference);
  return { DeleteHealthCheckResponse: { '@_xmlns': ROUTE53_XMLNS } };
}

type Observation = { region?: string; ipAddress?: string; status: string; checkedAt: number };

/**
 * GetHealthCheckStatus (what each checker saw last) and GetHealthCheckLastFailureReason (each
 * checker's last failed probe, the question a failover drill asks) answer in the same shape.
 */
export function healthCheckObservations(
  ctx: Route53Context,
  id: string,
  operation: 'GetHealthCheckStatus' | 'GetHealthCheckLastFailureReason',
  observe: (check: HealthCheck) => Observation[],
): Record<string, unknown> {
  const check = requireHealthCheck(ctx, id);
  return {
    [`${operation}Response`]: {
      '@_xmlns': ROUTE53_XMLNS,
      HealthCheckObservations: {
        HealthCheckObservation: observe(check).map((o) => ({
          Region: o.region,
          IPAddress: o.ipAddress,
          StatusReport: { Status: o.status, CheckedTime: new Date(o.checkedAt) },
        })),
      },
    },
  };
}

/** JSON with keys sorted at every level, so two configurations compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
