import { z } from 'zod';

/**
 * The Route 53 sandbox's own records, in camelCase (route53/render.ts and the parsers map them to
 * and from the wire). They are zod schemas because the same shapes are read back from the state
 * folder, which is checked rather than trusted.
 */

export const failoverRoles = ['PRIMARY', 'SECONDARY'] as const;
export type FailoverRole = (typeof failoverRoles)[number];

const aliasTargetSchema = z.object({
  hostedZoneId: z.string(),
  /** Absolute, lower-case, with the trailing dot. */
  dnsName: z.string(),
  evaluateTargetHealth: z.boolean(),
});
export type AliasTarget = z.infer<typeof aliasTargetSchema>;

export const recordSetSchema = z.object({
  /** Absolute, lower-case, with the trailing dot. */
  name: z.string(),
  type: z.string(),
  setIdentifier: z.string().optional(),
  weight: z.number().optional(),
  region: z.string().optional(),
  failover: z.enum(failoverRoles).optional(),
  multiValueAnswer: z.boolean().optional(),
  ttl: z.number().optional(),
  values: z.array(z.string()).optional(),
  aliasTarget: aliasTargetSchema.optional(),
  healthCheckId: z.string().optional(),
});
export type RecordSet = z.infer<typeof recordSetSchema>;

export const tagSchema = z.object({ key: z.string(), value: z.string() });
export type Tag = z.infer<typeof tagSchema>;
/** A resource's tags, in the order they were first added; state saved before tags existed has none. */
const tagsSchema = z.array(tagSchema).default([]);

export const hostedZoneSchema = z.object({
  /** Without the `/hostedzone/` prefix. */
  id: z.string(),
  /** Absolute, lower-case, with the trailing dot. */
  name: z.string(),
  callerReference: z.string(),
  comment: z.string().optional(),
  privateZone: z.boolean(),
  /** The VPC a private hosted zone answers in. */
  vpc: z.object({ region: z.string(), id: z.string() }).optional(),
  createdAt: z.number(),
  nameServers: z.array(z.string()),
  /** What the API shows: every accepted change applied. */
  records: z.array(recordSetSchema),
  /** What the name servers answer with: the records as of the last change that is INSYNC. */
  served: z.array(recordSetSchema),
  /** Accepted changes still propagating, oldest first: from `at` on, the name servers answer with `records`. */
  propagating: z.array(z.object({ at: z.number(), records: z.array(recordSetSchema) })),
  tags: tagsSchema,
});
export type HostedZone = z.infer<typeof hostedZoneSchema>;

export const changeSchema = z.object({
  /** Without the `/change/` prefix. */
  id: z.string(),
  submittedAt: z.number(),
  insyncAt: z.number(),
  comment: z.string().optional(),
});
export type ChangeRecord = z.infer<typeof changeSchema>;

export const healthCheckTypes = [
  'HTTP',
  'HTTPS',
  'HTTP_STR_MATCH',
  'HTTPS_STR_MATCH',
  'TCP',
  'CALCULATED',
  'CLOUDWATCH_METRIC',
  'RECOVERY_CONTROL',
] as const;
export type HealthCheckType = (typeof healthCheckTypes)[number];

export const insufficientDataStatuses = ['Healthy', 'Unhealthy', 'LastKnownStatus'] as const;

export const healthCheckConfigSchema = z.object({
  type: z.enum(healthCheckTypes),
  ipAddress: z.string().optional(),
  port: z.number().optional(),
  resourcePath: z.string().optional(),
  fullyQualifiedDomainName: z.string().optional(),
  searchString: z.string().optional(),
  requestInterval: z.number(),
  failureThreshold: z.number(),
  measureLatency: z.boolean(),
  inverted: z.boolean(),
  disabled: z.boolean(),
  healthThreshold: z.number().optional(),
  childHealthChecks: z.array(z.string()).optional(),
  enableSNI: z.boolean().optional(),
  /** Checker regions; undefined means all of them. */
  regions: z.array(z.string()).optional(),
  alarmIdentifier: z.object({ region: z.string(), name: z.string() }).optional(),
  insufficientDataHealthStatus: z.enum(insufficientDataStatuses).optional(),
  routingControlArn: z.string().optional(),
});
export type HealthCheckConfig = z.infer<typeof healthCheckConfigSchema>;

/** One Route 53 health checker (a region and an address) and its view of the endpoint. */
export const checkerSchema = z.object({
  region: z.string(),
  ipAddress: z.string(),
  /** The checker's verdict after applying the failure threshold. */
  healthy: z.boolean(),
  /** Consecutive probe results that disagree with `healthy`. */
  streak: z.number(),
  lastReport: z.object({ status: z.string(), checkedAt: z.number() }).optional(),
  /** The checker's last failed probe, as GetHealthCheckLastFailureReason reports it. */
  lastFailure: z.object({ status: z.string(), checkedAt: z.number() }).optional(),
});
export type CheckerState = z.infer<typeof checkerSchema>;

export const healthCheckSchema = z.object({
  id: z.string(),
  callerReference: z.string(),
  version: z.number(),
  config: healthCheckConfigSchema,
  createdAt: z.number(),
  checkers: z.array(checkerSchema),
  /** Round-robin position: which checker probes next. */
  nextChecker: z.number(),
  /** Last status of a CLOUDWATCH_METRIC check, for InsufficientDataHealthStatus=LastKnownStatus. */
  lastKnownHealthy: z.boolean(),
  tags: tagsSchema,
});
export type HealthCheck = z.infer<typeof healthCheckSchema>;
