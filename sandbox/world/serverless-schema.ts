import { z } from 'zod';
import { countIn, numberIn, percentIn } from '../../src/input/bounds.ts';

/**
 * The serverless service type of a world file (`serverless:`): a REST API in API Gateway in front
 * of one Lambda function in the world's VPC, which reads and writes a DynamoDB global table and
 * sends a message to an SQS queue for each order. Its offered load, noise and baseline errors are
 * the world's `service` section's, as for the EC2 fleet.
 */
const tags = z.record(z.string(), z.string());
const name = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[a-zA-Z0-9_-]+$/, 'may hold letters, digits, - and _ only');

export const serverlessSchema = z
  .object({
    api: z
      .object({
        /** The REST API's name: the `ApiName` dimension of its AWS/ApiGateway metrics. */
        name: name(128),
        stage: name(128).default('prod'),
        /** Milliseconds API Gateway adds to every request it answers (auth, mapping, network). */
        overheadMs: z
          .number()
          .check(numberIn({ min: 0, max: 10_000 }))
          .default(12),
      })
      .strict(),
    function: z
      .object({
        name: name(64),
        runtime: z.string().default('nodejs22.x'),
        memoryMb: z.number().check(countIn(128, 10_240)).default(1024),
        /** Seconds an invocation may run before Lambda stops it (Timeout). */
        timeoutSeconds: z.number().check(countIn(1, 900)).default(6),
        /**
         * Concurrent executions reserved for the function (PutFunctionConcurrency); beyond them
         * invocations are throttled. Without it the function shares the account's 1000.
         */
        reservedConcurrency: z.number().check(countIn(0, 1000)).optional(),
        /** p99 duration (ms) of an invocation in steady state, at `memoryMb`. */
        durationP99Ms: z.number().check(numberIn({ min: 0, max: 900_000, above: true })),
        /** The AZs of the world whose subnet is in the function's VPC config (all of them by default). */
        availabilityZones: z.array(z.string().min(1)).min(1).optional(),
        tags: tags.default({}),
      })
      .strict(),
    table: z
      .object({
        name: name(255),
        /** Regions holding a replica of the global table (besides the world's own). */
        replicaRegions: z
          .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region name such as us-west-2'))
          .min(1),
        /** Milliseconds for a write to appear in the other regions in steady state. */
        baseReplicationLatencyMs: z
          .number()
          .check(numberIn({ min: 0, max: 3_600_000 }))
          .default(800),
        /** Milliseconds a GetItem or PutItem takes in steady state (SuccessfulRequestLatency). */
        requestLatencyMs: z
          .number()
          .check(numberIn({ min: 0, max: 60_000, above: true }))
          .default(5),
        tags: tags.default({}),
      })
      .strict(),
    queue: z
      .object({
        name: name(80),
        /** Messages per second its consumers take off the queue at most. */
        consumerRps: z.number().check(numberIn({ min: 0, max: 1_000_000, above: true })),
        /** Seconds a message waits in steady state before a consumer receives it. */
        baseAgeSeconds: z
          .number()
          .check(numberIn({ min: 0, max: 3600 }))
          .default(2),
        /** Share of the function's successful invocations (percent) that send a message. */
        sendPercent: z
          .number()
          .check(percentIn({ above: false }))
          .default(100),
      })
      .strict(),
  })
  .strict();

export type ServerlessDefinition = z.infer<typeof serverlessSchema>;
