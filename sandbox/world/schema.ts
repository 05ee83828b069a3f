import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { readSource } from '../../src/experiments/source.ts';
import type { SourceDocument } from '../../src/experiments/source-document.ts';
import { percentIn } from '../../src/input/bounds.ts';
import { quote } from '../../src/input/quote.ts';
import { parseAlarmInput } from '../backends/alarm-config.ts';
import { cacheSchema } from './cache.ts';
import { containersSchema } from './ecs.ts';
import { count, number, secondsRange, tags } from './fields.ts';
import { serverlessSchema } from './serverless-schema.ts';

const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region name such as us-east-1');

export const worldSchema = z
  .object({
    name: z.string().min(1),
    region: regionName,
    accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    /** Availability zones the service runs in; each gets one subnet. */
    availabilityZones: z.array(z.string().min(1)).min(1),
    service: z
      .object({
        name: z.string().min(1),
        /** The EC2 fleet behind `loadBalancer` (none in a serverless world). */
        instancesPerAz: count(0, 50).default(0),
        /** Of each AZ's instances, how many are Spot Instances (the rest are on demand). */
        spotInstancesPerAz: count(0, 50).default(0),
        instanceType: z.string().default('m6i.large'),
        tags: tags.default({}),
        /** Requests per second one healthy instance serves before it saturates. */
        capacityPerInstanceRps: number({ min: 0, max: 100_000, above: true }).optional(),
        /** Steady offered load, in requests per second. */
        baselineRps: number({ min: 0, max: 1_000_000 }),
        /** p99 latency at low utilisation, in milliseconds. */
        baseLatencyP99Ms: number({ min: 0, max: 60_000, above: true }).optional(),
        /** Seconds from `running` until the application passes health checks. */
        bootSeconds: secondsRange.default([30, 60]),
        /** Share of requests (percent) that fail even when everything is healthy. */
        baselineErrorPercent: z
          .number()
          .check(percentIn({ above: false }))
          .default(0.05),
        /** Spread (percent, one standard deviation) of the minute-to-minute noise on load and latency. */
        noisePercent: z
          .number()
          .check(percentIn({ above: false, max: 50 }))
          .default(2),
      })
      .strict(),
    timings: z
      .object({
        stopSeconds: secondsRange.default([20, 60]),
        startSeconds: secondsRange.default([15, 40]),
        terminateSeconds: secondsRange.default([20, 60]),
        rebootSeconds: secondsRange.default([40, 90]),
      })
      .strict()
      .default({
        stopSeconds: [20, 60],
        startSeconds: [15, 40],
        terminateSeconds: [20, 60],
        rebootSeconds: [40, 90],
      }),
    loadBalancer: z
      .object({
        name: z.string().min(1),
        /**
         * Zonal autoshift is enabled: ARC may shift the load balancer's traffic away from an AZ (FIS
         * aws:arc:start-zonal-autoshift targets it as a zonal shift managed resource).
         */
        zonalAutoshift: z.boolean().default(false),
        healthCheck: z
          .object({
            intervalSeconds: count(5, 300).default(30),
            unhealthyThreshold: count(2, 10).default(3),
            healthyThreshold: count(2, 10).default(3),
          })
          .strict()
          .default({ intervalSeconds: 30, unhealthyThreshold: 3, healthyThreshold: 3 }),
      })
      .strict()
      .optional(),
    autoScaling: z
      .object({
        name: z.string().min(1),
        /**
         * Whether the group replaces instances that fail its health check (stopped, or with
         * `healthCheckType: ELB` also unhealthy in the target group). Terminated instances are
         * always replaced: the group keeps its desired capacity.
         */
        replaceUnhealthy: z.boolean().default(true),
        /** EC2 (the default) judges an instance by its EC2 state; ELB also by the target group's health checks. */
        healthCheckType: z.enum(['EC2', 'ELB']).default('EC2'),
        /** Seconds from the group seeing an instance unhealthy to terminating it and launching its replacement. */
        replacementDelaySeconds: secondsRange.default([60, 120]),
      })
      .strict()
      .optional(),
    database: z
      .object({
        clusterId: z.string().min(1),
        engine: z.string().default('aurora-postgresql'),
        writerAz: z.string().min(1),
        readerAzs: z.array(z.string().min(1)).min(1),
        failoverSeconds: secondsRange.default([60, 120]),
        /** Seconds a DB instance takes to reboot (RebootDBInstance); the writer takes no writes meanwhile. */
        rebootSeconds: secondsRange.default([20, 45]),
        /** The DB instance class of its instances (one per AZ: the writer and a reader in each of readerAzs). */
        instanceClass: z.string().default('db.r6g.large'),
        /** Replication lag in milliseconds in steady state. */
        baseReplicaLagMs: number({ min: 0, max: 3_600_000 }).default(20),
        /** Replication lag (ms) the readers report while the cluster fails over; it decays afterwards. */
        replicaLagSpikeMs: number({ min: 0, max: 3_600_000 }).default(8000),
        /** Share of requests (0–1) that write to the database: they fail while the writer is unavailable. */
        writeRequestShare: number({ min: 0, max: 1 }).default(0.3),
        tags: tags.default({}),
      })
      .strict()
      .optional(),
    /**
     * A warm standby in another region: its own load balancer in front of a fleet that always
     * serves, and (with `database`) an Aurora Global Database secondary of the primary's cluster,
     * read-only until it is promoted. Nothing sends it traffic until DNS is changed to point at it.
     */
    standby: z
      .object({
        region: regionName,
        availabilityZones: z.array(z.string().min(1)).min(1),
        /** Instances serving per AZ; the primary's `service.instancesPerAz` when left out. */
        instancesPerAz: count(0, 50).optional(),
        loadBalancer: z.object({ name: z.string().min(1) }).strict(),
        database: z
          .object({
            clusterId: z.string().min(1),
            /** The Aurora Global Database both clusters belong to. */
            globalClusterId: z.string().min(1),
            /** Replication lag (ms) behind the primary in steady state: what an unplanned failover loses. */
            baseReplicationLagMs: number({ min: 0, max: 3_600_000 }).default(250),
            /** Seconds a global failover (FailoverGlobalCluster) takes to promote the secondary. */
            promotionSeconds: secondsRange.default([60, 120]),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    dns: z
      .object({
        zoneName: z.string().min(1),
        recordName: z.string().min(1),
        ttl: count(0, 86_400).default(60),
        /** Seconds a change stays PENDING before it is INSYNC. */
        propagationSeconds: secondsRange.default([30, 60]),
      })
      .strict()
      .optional(),
    /** An ElastiCache (Redis OSS) replication group the service keeps its sessions in (sandbox/world/cache.ts). */
    cache: cacheSchema.optional(),
    /** An ECS service on Fargate the service calls on its request path (sandbox/world/ecs.ts). */
    containers: containersSchema.optional(),
    /** The serverless service type: API Gateway → Lambda → DynamoDB, with a queue, instead of the fleet. */
    serverless: serverlessSchema.optional(),
    /** CloudWatch alarms created when the sandbox starts, in PutMetricAlarm's shape. */
    alarms: z.array(z.object({ AlarmName: z.string().min(1) }).catchall(z.unknown())).default([]),
  })
  .strict()
  .superRefine((w, ctx) => {
    const azs = new Set(w.availabilityZones);
    if (azs.size !== w.availabilityZones.length) {
      ctx.addIssue({ code: 'custom', path: ['availabilityZones'], message: 'lists an AZ twice' });
    }
    const alarmNames = new Set<string>();
    for (const [i, alarm] of w.alarms.entries()) {
      if (alarmNames.has(alarm.AlarmName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['alarms', i, 'AlarmName'],
          message: `${quote(alarm.AlarmName)} is defined twice`,
        });
      }
      alarmNames.add(alarm.AlarmName);
      // CloudWatch's own rules (periods, evaluation periods, thresholds), checked when the file is
      // read so that a bad alarm is the file's error, not a failure of the sandbox's start.
      try {
        parseAlarmInput(alarm);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['alarms', i], message: (e as Error).message });
      }
    }
    checkServiceType(w, ctx);
    if (w.database) {
      if (w.database.readerAzs.includes(w.database.writerAz)) {
        ctx.addIssue({
          code: 'custom',
          path: ['database', 'readerAzs'],
          message: `${quote(w.database.writerAz)} is the writer's AZ; readers must be in other AZs`,
        });
      }
      for (const [i, az] of [w.database.writerAz, ...w.database.readerAzs].entries()) {
        if (!azs.has(az)) {
          ctx.addIssue({
            code: 'custom',
            path: ['database', i === 0 ? 'writerAz' : `readerAzs`],
            message: `${quote(az)} is not one of availabilityZones`,
          });
        }
      }
    }
    // The cache's nodes and the ECS service's tasks sit in the world's subnets, one per AZ.
    const placed: [(string | number)[], string][] = [
      ...(w.cache
        ? [w.cache.primaryAz, ...w.cache.replicaAzs].map(
            (az, i) => [['cache', i === 0 ? 'primaryAz' : 'replicaAzs'], az] as [string[], string],
          )
        : []),
      ...(w.containers?.availabilityZones ?? []).map(
        (az) => [['containers', 'availabilityZones'], az] as [string[], string],
      ),
    ];
    for (const [path, az] of placed) {
      if (!azs.has(az))
        ctx.addIssue({ code: 'custom', path, message: `${quote(az)} is not one of availabilityZones` });
    }
    if (w.service.spotInstancesPerAz > w.service.instancesPerAz) {
      ctx.addIssue({
        code: 'custom',
        path: ['service', 'spotInstancesPerAz'],
        message: `is more than instancesPerAz (${w.service.instancesPerAz})`,
      });
    }
    if (w.standby) {
      if (w.standby.region === w.region) {
        ctx.addIssue({
          code: 'custom',
          path: ['standby', 'region'],
          message: `is the world's own region; a standby lives in another one`,
        });
      }
      if (new Set(w.standby.availabilityZones).size !== w.standby.availabilityZones.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['standby', 'availabilityZones'],
          message: 'lists an AZ twice',
        });
      }
      if (w.standby.database && !w.database) {
        ctx.addIssue({
          code: 'custom',
          path: ['standby', 'database'],
          message: 'is a secondary of the primary database: the world needs a database section too',
        });
      }
    }
    if (w.dns && !w.standby) {
      ctx.addIssue({
        code: 'custom',
        path: ['dns'],
        message:
          "needs a standby section: the failover record's SECONDARY points at the standby's load balancer",
      });
    }
  });

export type WorldDefinition = z.infer<typeof worldSchema>;

/**
 * A world's service is one of two types: an EC2 fleet behind `loadBalancer`, or `serverless`.
 * Each needs its own sections; the fleet's sections mean nothing to a serverless service.
 */
function checkServiceType(w: z.infer<typeof worldSchema>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (!w.serverless) {
    if (!w.loadBalancer)
      issue(['loadBalancer'], 'is required (or a serverless section instead of the fleet)');
    for (const field of ['capacityPerInstanceRps', 'baseLatencyP99Ms'] as const) {
      if (w.service[field] === undefined)
        issue(['service', field], 'is required for a fleet behind a load balancer');
    }
    return;
  }
  for (const section of ['loadBalancer', 'autoScaling', 'database', 'standby', 'dns'] as const) {
    if (w[section]) issue([section], 'belongs to an EC2 fleet; a serverless world has none');
  }
  if (w.service.instancesPerAz > 0) issue(['service', 'instancesPerAz'], 'must be 0 in a serverless world');
  const azs = new Set(w.availabilityZones);
  for (const az of w.serverless.function.availabilityZones ?? []) {
    if (!azs.has(az))
      issue(['serverless', 'function', 'availabilityZones'], `${quote(az)} is not one of availabilityZones`);
  }
  if (w.serverless.table.replicaRegions.includes(w.region)) {
    issue(
      ['serverless', 'table', 'replicaRegions'],
      "lists the world's own region; replicas live in other ones",
    );
  }
}

export type StandbyDefinition = NonNullable<WorldDefinition['standby']>;

export const DEFAULT_WORLD_FILE = fileURLToPath(new URL('../worlds/checkout.yaml', import.meta.url));

/** The file of a shipped world (sandbox/worlds/<name>.yaml), if there is one by that name. */
function shippedWorld(name: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  const file = fileURLToPath(new URL(`../worlds/${name}.yaml`, import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** `--world`: a file, or the name of a shipped world (`orders`) when no file of that name is here. */
export function worldFileOf(arg: string): string {
  return existsSync(arg) ? resolve(arg) : (shippedWorld(arg) ?? resolve(arg));
}

/** The world a service's game day runs in without `--world`: the shipped one of its name, else checkout. */
export function worldFileFor(service: string): string {
  return shippedWorld(service) ?? DEFAULT_WORLD_FILE;
}

export class WorldFileError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'WorldFileError';
  }
}

/**
 * Reads and validates a world file; one error naming the file and the first bad field. It is read
 * as every file faultline is given is (src/experiments/source.ts: size, depth and aliases limited).
 */
export async function loadWorldFile(file = DEFAULT_WORLD_FILE): Promise<WorldDefinition> {
  let source: SourceDocument;
  try {
    source = await readSource(file, 'yaml');
  } catch (e) {
    if (e instanceof ExperimentFileError) throw new WorldFileError(file, e.detail);
    throw e;
  }
  return parseWorld(source.data, file);
}

export function parseWorld(raw: unknown, file = '(world)'): WorldDefinition {
  const result = worldSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new WorldFileError(file, `${where}: ${issue.message}`);
  }
  return result.data;
}
