import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import type { Invocation } from '../backends/lambda.ts';
import type { Sandbox } from '../sandbox.ts';
import { deployEventRules, eventBridgeRules } from './event-rules.ts';
import { type IntrinsicContext, type PhysicalResource, resolveIntrinsics } from './intrinsics.ts';
import type { ResolvedService } from './resolve.ts';
import { type ArmedSchedule, armSchedules, type ScheduleTarget, scheduleRules } from './schedules.ts';

export interface Deployment {
  /** State machine key in serverless.yml → its ARN in the sandbox. */
  stateMachines: Record<string, string>;
  /** Function key → deployed function name. */
  functions: Record<string, string>;
  /** The environment every function runs with (provider.environment, resolved). */
  environment: Record<string, string>;
  /** Resource types in serverless.yml the sandbox does not emulate, by logical id (recorded, not created). */
  notEmulated: Record<string, string>;
  /** The state machines' schedule events, firing on the sandbox's virtual clock from the moment of deploy. */
  schedules: ArmedSchedule[];
}

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * "Deploys" a resolved serverless.yml into a running sandbox, through the sandbox's own AWS APIs:
 * tables, bucket, topic and parameters from `resources`, every function registered in-process
 * from its TypeScript source, every state machine created with its Task ARNs filled in, and its
 * schedule events armed on the virtual clock. After this the sandbox holds what a `serverless
 * deploy` would have created on AWS.
 */
export async function deployToSandbox(
  sb: Sandbox,
  service: ResolvedService,
  projectDir: string,
): Promise<Deployment> {
  const { region, accountId } = sb.world;
  const config = clientConfig(sb);
  const resources: Record<string, PhysicalResource> = {};
  const ctx: IntrinsicContext = { region, accountId, resources };
  const notEmulated: Record<string, string> = {};
  // Checked before anything is created: a schedule EventBridge would refuse deploys nothing.
  const rules = scheduleRules(service, { region, accountId });
  const eventRules = eventBridgeRules(service);

  // Function ARNs are known before anything is created, so resources may reference them.
  for (const [key, fn] of Object.entries(service.functions)) {
    resources[`${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaFunction`] = {
      ref: fn.name,
      attributes: { Arn: sb.lambdas.functionArn(fn.name) },
    };
  }

  const ddb = new DynamoDBClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sns = new SNSClient(config);
  const ssm = new SSMClient(config);
  const sfn = new SFNClient(config);
  try {
    for (const [logicalId, res] of Object.entries(service.resources?.Resources ?? {})) {
      const props = resolveIntrinsics(res.Properties ?? {}, ctx, `resources.${logicalId}`) as Record<
        string,
        unknown
      >;
      switch (res.Type) {
        case 'AWS::DynamoDB::Table': {
          const input = tableInput(props);
          await ddb.send(new CreateTableCommand(input)).catch(ignore('ResourceInUseException'));
          await untilTableActive(ddb, input.TableName!, sb);
          resources[logicalId] = {
            ref: input.TableName!,
            attributes: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${input.TableName}` },
          };
          break;
        }
        case 'AWS::S3::Bucket': {
          const name = String(props.BucketName);
          await s3.send(new CreateBucketCommand({ Bucket: name })).catch(ignore('BucketAlreadyOwnedByYou'));
          resources[logicalId] = { ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } };
          break;
        }
        case 'AWS::SNS::Topic': {
          const out = await sns.send(new CreateTopicCommand({ Name: String(props.TopicName ?? logicalId) }));
          resources[logicalId] = {
            ref: out.TopicArn!,
            attributes: { TopicArn: out.TopicArn!, TopicName: String(props.TopicName) },
          };
          break;
        }
        case 'AWS::SSM::Parameter': {
          const name = String(props.Name);
          // A parameter someone has already set (the kill switch, switched on) keeps its value.
          await ssm
            .send(
              new PutParameterCommand({
                Name: name,
                Value: String(props.Value),
                Type: 'String',
                Description: props.Description as string,
              }),
            )
            .catch(ignore('ParameterAlreadyExists'));
          resources[logicalId] = { ref: name, attributes: {} };
          break;
        }
        case 'AWS::IAM::Role': {
          const name = String(props.RoleName ?? `${service.service}-${logicalId}`);
          resources[logicalId] = { ref: name, attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}` } };
          break;
        }
        case 'AWS::SQS::Queue': {
          // Not emulated, but named like SQS names it: EventBridge checks a dead-letter queue's ARN.
          const name = String(props.QueueName ?? `${service.service}-${logicalId}`);
          notEmulated[logicalId] = res.Type;
          resources[logicalId] = {
            ref: `https://sqs.${region}.amazonaws.com/${accountId}/${name}`,
            attributes: { Arn: `arn:aws:sqs:${region}:${accountId}:${name}`, QueueName: name },
          };
          break;
        }
        default:
          notEmulated[logicalId] = res.Type;
          resources[logicalId] = {
            ref: `${service.service}-${logicalId}`,
            attributes: { Arn: `arn:aws:sandbox:${region}:${accountId}:${logicalId}` },
          };
      }
    }

    const environment = Object.fromEntries(
      Object.entries(
        resolveIntrinsics(service.provider.environment ?? {}, ctx, 'provider.environment') as Record<
          string,
          unknown
        >,
      ).map(([k, v]) => [k, String(v)]),
    );

    const functions: Record<string, string> = {};
    for (const [key, fn] of Object.entries(service.functions)) {
      const handler = await loadHandler(projectDir, fn.handler);
      let invocation = 0;
      sb.lambdas.register(
        fn.name,
        (event, running) => {
          invocation += 1;
          return handler(event, lambdaContext(fn.name, sb.lambdas.functionArn(fn.name), invocation, running));
        },
        { timeoutSeconds: fn.timeout ?? service.provider.timeout },
      );
      functions[key] = fn.name;
    }

    const stateMachines: Record<string, string> = {};
    for (const [key, sm] of Object.entries(service.stepFunctions?.stateMachines ?? {})) {
      const definition = resolveIntrinsics(sm.definition, ctx, `stepFunctions.stateMachines.${key}`);
      const out = await sfn.send(
        new CreateStateMachineCommand({
          name: sm.name,
          definition: JSON.stringify(definition),
          roleArn: `arn:aws:iam::${accountId}:role/${sm.name}-role`,
        }),
      );
      stateMachines[key] = out.stateMachineArn!;
    }

    await deployEventRules(sb, eventRules, stateMachines, ctx);
    const schedules = armSchedules(rules, scheduleTarget(sb, stateMachines), sb.clock.now());
    return { stateMachines, functions, environment, notEmulated, schedules };
  } finally {
    for (const c of [ddb, s3, sns, ssm, sfn]) c.destroy();
  }
}

/** What a schedule firing in this sandbox does, as EventBridge would: publish the Scheduled Event, start the execution. */
export function scheduleTarget(sb: Sandbox, stateMachineArns: Record<string, string>): ScheduleTarget {
  return {
    clock: sb.clock,
    publish: (rule) => sb.core.bus.publish('aws.events', 'Scheduled Event', {}, [rule.arn]),
    // Through the sandbox's Step Functions API, as EventBridge calls it.
    startExecution: async (stateMachine, name, input) => {
      const sfn = new SFNClient(clientConfig(sb));
      try {
        const out = await sfn.send(
          new StartExecutionCommand({ stateMachineArn: stateMachineArns[stateMachine], name, input }),
        );
        return out.executionArn!;
      } finally {
        sfn.destroy();
      }
    },
  };
}

function clientConfig(sb: Sandbox) {
  return {
    endpoint: sb.endpoint,
    region: sb.world.region,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  };
}

/**
 * CloudFormation finishes a table only once it is ACTIVE. dynalite turns a new table ACTIVE on a
 * zero-delay timer, which on the sandbox's clock fires when that clock moves: nudge it.
 */
async function untilTableActive(ddb: DynamoDBClient, name: string, sb: Sandbox): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await sb.clock.advance(0);
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`table ${name} did not become ACTIVE in the sandbox`);
}

function ignore(code: string) {
  return (e: unknown) => {
    if ((e as Error).name !== code) throw e;
  };
}

function tableInput(props: Record<string, unknown>): CreateTableCommandInput {
  const input = {
    TableName: props.TableName,
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    LocalSecondaryIndexes: props.LocalSecondaryIndexes,
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
    BillingMode: props.BillingMode ?? 'PROVISIONED',
    ProvisionedThroughput:
      props.BillingMode === 'PAY_PER_REQUEST'
        ? undefined
        : (props.ProvisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }),
  } as CreateTableCommandInput;
  // dynalite wants provisioned throughput on every index of a provisioned table, like DynamoDB.
  return input;
}

/** `functions/preflight.handler` → the `handler` export of functions/preflight.ts. */
async function loadHandler(projectDir: string, spec: string): Promise<LambdaHandler> {
  const dot = spec.lastIndexOf('.');
  const file = join(projectDir, `${spec.slice(0, dot)}.ts`);
  const exportName = spec.slice(dot + 1);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${spec}: ${file} has no exported function '${exportName}'`);
  return fn as LambdaHandler;
}

function lambdaContext(functionName: string, arn: string, invocation: number, running: Invocation): Context {
  const fail = () => {
    throw new Error('callback-style handlers are not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '256',
    awsRequestId: `${functionName}-${String(invocation).padStart(6, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'sandbox',
    getRemainingTimeInMillis: () => running.remainingMs(),
    done: fail,
    fail,
    succeed: fail,
  };
}
