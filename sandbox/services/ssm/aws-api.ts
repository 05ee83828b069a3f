import { AwsError } from '../../protocol/types.ts';

/**
 * The services the sandbox speaks, by the name Automation's aws:executeAwsApi gives them (boto3's
 * service names), with the SDK v3 client that speaks each one's wire protocol.
 */
const CLIENTS: Readonly<Record<string, { module: () => Promise<Record<string, unknown>>; client: string }>> =
  {
    ec2: { module: () => import('@aws-sdk/client-ec2'), client: 'EC2Client' },
    ssm: { module: () => import('@aws-sdk/client-ssm'), client: 'SSMClient' },
    cloudwatch: { module: () => import('@aws-sdk/client-cloudwatch'), client: 'CloudWatchClient' },
    fis: { module: () => import('@aws-sdk/client-fis'), client: 'FisClient' },
    route53: { module: () => import('@aws-sdk/client-route-53'), client: 'Route53Client' },
    s3: { module: () => import('@aws-sdk/client-s3'), client: 'S3Client' },
    sns: { module: () => import('@aws-sdk/client-sns'), client: 'SNSClient' },
    stepfunctions: { module: () => import('@aws-sdk/client-sfn'), client: 'SFNClient' },
    events: { module: () => import('@aws-sdk/client-eventbridge'), client: 'EventBridgeClient' },
    dynamodb: { module: () => import('@aws-sdk/client-dynamodb'), client: 'DynamoDBClient' },
  };

/** The service names aws:executeAwsApi can reach in the sandbox. */
const SANDBOX_API_SERVICES: readonly string[] = Object.keys(CLIENTS);

type Client = { send(command: unknown): Promise<Record<string, unknown>>; destroy(): void };
type Constructor<T> = new (arg: unknown) => T;

/** Why `service` cannot be called in the sandbox (`<service>, which runs on AWS; …`), or undefined when it can. */
export function unreachableService(service: string): string | undefined {
  if (Object.hasOwn(CLIENTS, service.toLowerCase())) return undefined;
  return `${service === '' ? 'no Service' : service}, which runs on AWS; the sandbox speaks ${SANDBOX_API_SERVICES.join(', ')}`;
}

/**
 * Calls `Api` of `service` on the sandbox's own endpoint with the service's SDK v3 client, as
 * Automation calls AWS: the request crosses the wire protocol, so the step sees what any client
 * sees. A refusal is re-thrown with AWS's code, and the response comes back as plain JSON (dates
 * as ISO text) for JSONPath selectors.
 */
export async function callSandboxApi(
  where: { endpoint: string | undefined; region: string },
  service: string,
  api: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const unreachable = unreachableService(service);
  if (unreachable) throw new Error(`Service ${unreachable}`);
  if (!where.endpoint) throw new Error('the sandbox is not listening, so its services cannot be called');
  const entry = CLIENTS[service.toLowerCase()]!;
  const mod = await entry.module();
  const Command = mod[`${api}Command`] as Constructor<unknown> | undefined;
  if (typeof Command !== 'function' || !/^[A-Z][A-Za-z0-9]+$/.test(api)) {
    throw new AwsError('ValidationException', `${api} is not an API of ${service}.`);
  }
  const ClientClass = mod[entry.client] as Constructor<Client>;
  const client = new ClientClass({
    endpoint: where.endpoint,
    region: where.region,
    credentials: { accessKeyId: 'AKIDAUTOMATION', secretAccessKey: 'automation' },
    maxAttempts: 1,
    ...(service.toLowerCase() === 's3' ? { forcePathStyle: true } : {}),
  });
  try {
    const { $metadata: _, ...out } = await client.send(new Command(input));
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    throw new AwsError(
      err.name ?? 'InternalFailure',
      err.message ?? String(e),
      err.$metadata?.httpStatusCode,
    );
  } finally {
    client.destroy();
  }
}
