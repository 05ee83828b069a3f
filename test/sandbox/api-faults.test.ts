import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FisClient, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFaults } from '../../sandbox/api-faults.ts';
import { Rng } from '../../sandbox/rng.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

/** One call per service, each answering with the service's error, as the SDK names it. */
function calls(config: ClientConfig) {
  return [
    ['fis', () => new FisClient(config).send(new ListExperimentsCommand({}))],
    ['monitoring', () => new CloudWatchClient(config).send(new DescribeAlarmsCommand({}))],
    ['ssm', () => new SSMClient(config).send(new DescribeParametersCommand({}))],
    ['ec2', () => new EC2Client(config).send(new DescribeInstancesCommand({}))],
    ['route53', () => new Route53Client(config).send(new ListHostedZonesCommand({}))],
    ['s3', () => new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({}))],
    ['sns', () => new SNSClient(config).send(new ListTopicsCommand({}))],
    ['states', () => new SFNClient(config).send(new ListStateMachinesCommand({}))],
    ['dynamodb', () => new DynamoDBClient(config).send(new ListTablesCommand({}))],
  ] as const;
}

async function errorOf(call: () => Promise<unknown>) {
  try {
    await call();
    return undefined;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
    return { name: err.name, status: err.$metadata?.httpStatusCode };
  }
}

describe("faults in the sandbox's own API", () => {
  let sb: Sandbox;
  let config: ClientConfig;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
  });
  afterAll(() => sb.close());

  it('throttles each service as that service does, in its own protocol', async () => {
    sb.injectApiFaults({ throttle: 1, fail: 0, slow: 0 });
    const got = Object.fromEntries(
      await Promise.all(calls(config).map(async ([service, call]) => [service, await errorOf(call)])),
    );
    expect(got).toEqual({
      fis: { name: 'ThrottlingException', status: 429 },
      monitoring: { name: 'Throttling', status: 400 },
      ssm: { name: 'ThrottlingException', status: 400 },
      ec2: { name: 'RequestLimitExceeded', status: 503 },
      route53: { name: 'Throttling', status: 400 },
      s3: { name: 'SlowDown', status: 503 },
      sns: { name: 'ThrottledException', status: 429 },
      states: { name: 'ThrottlingException', status: 400 },
      dynamodb: { name: 'ThrottlingException', status: 400 },
    });
  });

  it("fails each with the service's 500, and serves again once the faults are off", async () => {
    sb.injectApiFaults({ throttle: 0, fail: 1, slow: 0 });
    for (const [service, call] of calls(config)) {
      const err = await errorOf(call);
      expect(err?.status, service).toBe(500);
      expect(err?.name, service).toMatch(/^Internal(Failure|ServerError|Error)$/);
    }
    sb.injectApiFaults({ throttle: 0, fail: 0, slow: 0 });
    for (const [service, call] of calls(config)) expect(await errorOf(call), service).toBeUndefined();
  });

  it('draws each request’s fate from the seed: the same seed, the same faults', () => {
    const fates = (seed: number) => {
      const faults = new ApiFaults(
        { throttle: 0.2, fail: 0.05, slow: 0.1 },
        new Rng(seed).stream('api-faults'),
      );
      return Array.from({ length: 400 }, () => faults.draw('ssm')?.kind ?? 'ok');
    };
    expect(fates(3)).toEqual(fates(3));
    expect(fates(3)).not.toEqual(fates(4));
    const share = (kind: string) => fates(3).filter((k) => k === kind).length / 400;
    expect(share('throttle')).toBeGreaterThan(0.12);
    expect(share('throttle')).toBeLessThan(0.28);
  });
});
