import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { FisClient } from '@aws-sdk/client-fis';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client of each service per process (Lambda reuses them across invocations). They take
 * their endpoint, region and credentials from the standard chain: AWS_ENDPOINT_URL points them at
 * the sandbox, nothing else changes. `maxAttempts` leaves retrying of throttling and 5xx to the
 * state machine's Retry (with back-off), apart from the SDK's own quick first retry.
 */
const config = { maxAttempts: 2 } as const;

let cache: Partial<Clients> = {};

export interface Clients {
  fis: FisClient;
  ssm: SSMClient;
  cloudwatch: CloudWatchClient;
  route53: Route53Client;
  ec2: EC2Client;
  s3: S3Client;
  sns: SNSClient;
  sfn: SFNClient;
  dynamodb: DynamoDBDocumentClient;
}

const makers: { [K in keyof Clients]: () => Clients[K] } = {
  fis: () => new FisClient(config),
  ssm: () => new SSMClient(config),
  cloudwatch: () => new CloudWatchClient(config),
  // Route 53 is a global service whose API lives in us-east-1.
  route53: () => new Route53Client({ ...config, region: 'us-east-1' }),
  ec2: () => new EC2Client(config),
  s3: () => new S3Client({ ...config, forcePathStyle: true }),
  sns: () => new SNSClient(config),
  sfn: () => new SFNClient(config),
  dynamodb: () =>
    DynamoDBDocumentClient.from(new DynamoDBClient(config), {
      marshallOptions: { removeUndefinedValues: true },
    }),
};

export function client<K extends keyof Clients>(name: K): Clients[K] {
  const existing = cache[name];
  if (existing) return existing as Clients[K];
  const made = makers[name]();
  cache[name] = made as never;
  return made;
}

/** Forgets the clients (after the environment changed, e.g. a sandbox on another port). */
export function resetClients(): void {
  for (const c of Object.values(cache)) (c as { destroy?: () => void }).destroy?.();
  cache = {};
}
