import { createHash } from 'node:crypto';
import AWS from 'aws-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { startSandbox } from '../helpers/sandbox.ts';

// The SDK prints an end-of-support note a moment after it loads, unless told not to.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

/**
 * The sandbox driven by the AWS SDK for JavaScript v2, a client implementation of its own (its
 * CloudWatch speaks the query protocol, not SDK v3's JSON), across every service the sandbox
 * serves: answers in AWS's shapes, errors with AWS's codes and statuses.
 */

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/faultline`;

/** The error a request fails with, as SDK v2 raises it (`code`, `statusCode`, `message`). */
async function failure(request: { promise(): Promise<unknown> }): Promise<AWS.AWSError> {
  try {
    await request.promise();
  } catch (e) {
    return e as AWS.AWSError;
  }
  throw new Error('expected the request to fail');
}

describe('the sandbox through the AWS SDK for JavaScript v2', () => {
  let sb: Sandbox;
  let options: AWS.ConfigurationOptions & { endpoint: string; s3ForcePathStyle: boolean };

  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    // SDK v2 does not read AWS_ENDPOINT_URL: the endpoint is given to each client.
    options = {
      endpoint: started.config.endpoint,
      region: started.config.region,
      credentials: new AWS.Credentials('AKIDSANDBOX', 'sandbox-secret'),
      maxRetries: 0,
      s3ForcePathStyle: true,
    };
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('CloudWatch over the query protocol: alarms, metrics, history and its error codes', async () => {
    const cw = new AWS.CloudWatch(options);
    const all = await cw.describeAlarms({ MaxRecords: 100 }).promise();
    expect(all.MetricAlarms?.map((a) => a.AlarmName)).toContain('checkout-unhealthy-hosts');
    expect(all.MetricAlarms?.[0]).toMatchObject({
      AlarmArn: expect.stringMatching(/^arn:aws:cloudwatch:us-east-1:123456789012:alarm:/),
      StateUpdatedTimestamp: expect.any(Date),
      Threshold: expect.any(Number),
      Dimensions: expect.any(Array),
    });

    await cw
      .putMetricData({
        Namespace: 'V2/Test',
        MetricData: [
          {
            MetricName: 'Queue',
            Dimensions: [{ Name: 'Service', Value: 'v2' }],
            StatisticValues: { SampleCount: 2, Sum: 10, Minimum: 4, Maximum: 6 },
            Timestamp: new Date('2026-01-05T08:59:30Z'),
            Unit: 'Count',
          },
        ],
      })
      .promise();
    const stats = await cw
      .getMetricStatistics({
        Namespace: 'V2/Test',
        MetricName: 'Queue',
        Dimensions: [{ Name: 'Service', Value: 'v2' }],
        StartTime: new Date('2026-01-05T08:59:00Z'),
        EndTime: new Date('2026-01-05T09:00:00Z'),
        Period: 60,
        Statistics: ['Average', 'Minimum', 'Maximum'],
      })
      .promise();
    expect(stats.Datapoints).toEqual([
      { Timestamp: new Date('2026-01-05T08:59:00Z'), Average: 5, Minimum: 4, Maximum: 6, Unit: 'Count' },
    ]);
    const data = await cw
      .getMetricData({
        StartTime: new Date('2026-01-05T08:59:00Z'),
        EndTime: new Date('2026-01-05T09:00:00Z'),
        MetricDataQueries: [
          {
            Id: 'q',
            Label: 'queue',
            MetricStat: {
              Metric: {
                Namespace: 'V2/Test',
                MetricName: 'Queue',
                Dimensions: [{ Name: 'Service', Value: 'v2' }],
              },
              Period: 60,
              Stat: 'SampleCount',
            },
          },
        ],
      })
      .promise();
    expect(data.MetricDataResults).toEqual([
      {
        Id: 'q',
        Label: 'queue',
        Timestamps: [new Date('2026-01-05T08:59:00Z')],
        Values: [2],
        StatusCode: 'Complete',
        Messages: [],
      },
    ]);
    expect((await cw.listMetrics({ Namespace: 'V2/Test' }).promise()).Metrics).toEqual([
      { Namespace: 'V2/Test', MetricName: 'Queue', Dimensions: [{ Name: 'Service', Value: 'v2' }] },
    ]);

    await cw
      .putMetricAlarm({
        AlarmName: 'v2-queue',
        Namespace: 'V2/Test',
        MetricName: 'Queue',
        Dimensions: [{ Name: 'Service', Value: 'v2' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: ['arn:aws:sns:us-east-1:123456789012:pager'],
      })
      .promise();
    await sb.clock.advance(60_000);
    const [alarm] = (await cw.describeAlarms({ AlarmNames: ['v2-queue'] }).promise()).MetricAlarms ?? [];
    expect(alarm).toMatchObject({
      AlarmName: 'v2-queue',
      StateValue: 'ALARM',
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:pager'],
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm?.StateReason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[6\.0 \(05\/01\/26 08:59:00\)\]/,
    );
    const history = await cw
      .describeAlarmHistory({ AlarmName: 'v2-queue', HistoryItemType: 'StateUpdate' })
      .promise();
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([
      'Alarm updated from INSUFFICIENT_DATA to ALARM',
    ]);
    expect(history.AlarmHistoryItems?.[0]?.Timestamp).toBeInstanceOf(Date);

    const missing = await failure(
      cw.setAlarmState({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }),
    );
    expect(missing).toMatchObject({
      code: 'ResourceNotFound',
      statusCode: 404,
      message: 'Alarm nope does not exist.',
    });
    const combination = await failure(
      cw.getMetricStatistics({
        Namespace: 'V2/Test',
        MetricName: 'Queue',
        StartTime: new Date('2026-01-05T08:00:00Z'),
        EndTime: new Date('2026-01-05T09:00:00Z'),
        Period: 60,
      }),
    );
    expect(combination).toMatchObject({ code: 'InvalidParameterCombination', statusCode: 400 });
    const reserved = await failure(
      cw.putMetricData({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'M', Value: 1 }] }),
    );
    expect(reserved).toMatchObject({ code: 'InvalidParameterValue', statusCode: 400 });
  });

  it('FIS: templates, an experiment, and its error codes', async () => {
    const fis = new AWS.Fis(options);
    const { experimentTemplate } = await fis
      .createExperimentTemplate({
        clientToken: 'v2-1',
        description: 'wait a minute',
        roleArn: ROLE,
        stopConditions: [{ source: 'none' }],
        actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
        tags: { Name: 'v2' },
      })
      .promise();
    expect(experimentTemplate).toMatchObject({
      id: expect.stringMatching(/^EXT/),
      creationTime: expect.any(Date),
      actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
    });
    const { experiment } = await fis
      .startExperiment({ clientToken: 'v2-run-1', experimentTemplateId: experimentTemplate!.id! })
      .promise();
    expect(experiment?.state?.status).toBe('pending');
    await sb.clock.advance(2 * 60_000);
    const done = await fis.getExperiment({ id: experiment!.id! }).promise();
    expect(done.experiment).toMatchObject({ state: { status: 'completed' }, endTime: expect.any(Date) });
    expect((await fis.listActions().promise()).actions?.map((a) => a.id)).toContain('aws:fis:wait');

    const notFound = await failure(fis.getExperiment({ id: 'EXP0000000000000' }));
    expect(notFound).toMatchObject({ code: 'ResourceNotFoundException', statusCode: 404 });
    const invalid = await failure(
      fis.createExperimentTemplate({
        clientToken: 'v2-2',
        description: 'no role',
        roleArn: 'arn:aws:iam::123456789012:user/me',
        stopConditions: [{ source: 'none' }],
        actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
      }),
    );
    expect(invalid).toMatchObject({ code: 'ValidationException', statusCode: 400 });
  });

  it('SSM: parameters and runbooks, and its error codes', async () => {
    const ssm = new AWS.SSM(options);
    expect(await ssm.putParameter({ Name: '/v2/kill', Value: 'off', Type: 'String' }).promise()).toEqual({
      Version: 1,
      Tier: 'Standard',
    });
    const { Parameter } = await ssm.getParameter({ Name: '/v2/kill' }).promise();
    expect(Parameter).toMatchObject({
      Name: '/v2/kill',
      Value: 'off',
      Version: 1,
      LastModifiedDate: expect.any(Date),
    });
    const many = await ssm.getParameters({ Names: ['/v2/kill', '/v2/none'] }).promise();
    expect(many).toMatchObject({
      Parameters: [expect.objectContaining({ Name: '/v2/kill' })],
      InvalidParameters: ['/v2/none'],
    });
    expect(await failure(ssm.getParameter({ Name: '/v2/none' }))).toMatchObject({
      code: 'ParameterNotFound',
      statusCode: 400,
    });
    const doc = await ssm.getDocument({ Name: 'AWS-StopEC2Instance' }).promise();
    expect(JSON.parse(doc.Content!).mainSteps).toEqual([
      { name: 'stopInstances', action: 'aws:changeInstanceState' },
    ]);
    expect(await failure(ssm.describeDocument({ Name: 'AWS-Nope' }))).toMatchObject({
      code: 'InvalidDocument',
    });
  });

  it('Route 53: zones, records, health checks, and its error codes', async () => {
    const r53 = new AWS.Route53(options);
    const { HostedZones } = await r53.listHostedZones().promise();
    expect(HostedZones.map((z) => z.Name)).toEqual(['example.com.']);
    const zone = HostedZones[0]!.Id;
    const create = {
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'v2.example.com',
              Type: 'CNAME',
              TTL: 300,
              ResourceRecords: [{ Value: 'example.org' }],
            },
          },
        ],
      },
    };
    const { ChangeInfo } = await r53.changeResourceRecordSets(create).promise();
    expect(ChangeInfo).toMatchObject({ Status: 'PENDING', SubmittedAt: expect.any(Date) });
    const sets = await r53
      .listResourceRecordSets({
        HostedZoneId: zone,
        StartRecordName: 'v2.example.com',
        StartRecordType: 'CNAME',
        MaxItems: '1',
      })
      .promise();
    expect(sets.ResourceRecordSets).toEqual([
      { Name: 'v2.example.com.', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'example.org' }] },
    ]);
    const { HealthChecks } = await r53.listHealthChecks().promise();
    expect(HealthChecks.map((h) => h.HealthCheckConfig.Type)).toEqual(['HTTPS', 'HTTPS']);
    // The same CREATE again: the record exists now.
    const duplicate = await failure(r53.changeResourceRecordSets(create));
    expect(duplicate).toMatchObject({ code: 'InvalidChangeBatch', statusCode: 400 });
    expect(await failure(r53.getHostedZone({ Id: 'Z0000000000000000000' }))).toMatchObject({
      code: 'NoSuchHostedZone',
      statusCode: 404,
    });
  });

  it('EC2: instances, network, and its error codes', async () => {
    const ec2 = new AWS.EC2(options);
    const { Reservations } = await ec2
      .describeInstances({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] })
      .promise();
    const instances = Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => [i.Placement?.AvailabilityZone, i.State?.Name])).toEqual([
      ['us-east-1b', 'running'],
      ['us-east-1b', 'running'],
    ]);
    expect(instances[0]?.LaunchTime).toBeInstanceOf(Date);
    expect((await ec2.describeVpcs().promise()).Vpcs?.[0]).toMatchObject({
      CidrBlock: '10.0.0.0/16',
      IsDefault: false,
    });
    expect(
      (
        await ec2
          .describeSubnets({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] })
          .promise()
      ).Subnets,
    ).toHaveLength(1);
    expect((await ec2.describeRegions().promise()).Regions?.map((r) => r.RegionName)).toEqual(['us-east-1']);
    expect(
      await failure(ec2.stopInstances({ InstanceIds: [instances[0]!.InstanceId!], DryRun: true })),
    ).toMatchObject({
      code: 'DryRunOperation',
      statusCode: 412,
    });
    expect(await failure(ec2.describeInstances({ InstanceIds: ['i-0123456789abcdef0'] }))).toMatchObject({
      code: 'InvalidInstanceID.NotFound',
      statusCode: 400,
    });
  });

  it('S3: buckets, objects, a multipart upload, and its error codes', async () => {
    const s3 = new AWS.S3(options);
    await s3.createBucket({ Bucket: 'v2-bucket' }).promise();
    const put = await s3
      .putObject({
        Bucket: 'v2-bucket',
        Key: 'a/b.json',
        Body: '{"ok":true}',
        ContentType: 'application/json',
        Metadata: { run: '1' },
      })
      .promise();
    expect(put.ETag).toBe(`"${createHash('md5').update('{"ok":true}').digest('hex')}"`);
    const got = await s3.getObject({ Bucket: 'v2-bucket', Key: 'a/b.json' }).promise();
    expect(got).toMatchObject({
      ContentType: 'application/json',
      Metadata: { run: '1' },
      ContentLength: 11,
      LastModified: expect.any(Date),
    });
    expect(String(got.Body)).toBe('{"ok":true}');
    const listed = await s3.listObjectsV2({ Bucket: 'v2-bucket', Delimiter: '/' }).promise();
    expect(listed).toMatchObject({ KeyCount: 1, CommonPrefixes: [{ Prefix: 'a/' }], Contents: [] });

    // The SDK's managed upload splits a body over its part size into a multipart upload.
    const body = Buffer.alloc(11 * 1024 * 1024, 7);
    const uploaded = await s3
      .upload({ Bucket: 'v2-bucket', Key: 'big', Body: body }, { partSize: 5 * 1024 * 1024 })
      .promise();
    expect(uploaded.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const head = await s3.headObject({ Bucket: 'v2-bucket', Key: 'big' }).promise();
    expect(head).toMatchObject({ ContentLength: body.length, ETag: uploaded.ETag });

    expect(await failure(s3.getObject({ Bucket: 'v2-bucket', Key: 'nope' }))).toMatchObject({
      code: 'NoSuchKey',
      statusCode: 404,
    });
    expect(await failure(s3.headObject({ Bucket: 'v2-bucket', Key: 'nope' }))).toMatchObject({
      code: 'NotFound',
      statusCode: 404,
    });
    expect(await failure(s3.listObjectsV2({ Bucket: 'nope-bucket' }))).toMatchObject({
      code: 'NoSuchBucket',
      statusCode: 404,
    });
    expect(
      await failure(s3.listParts({ Bucket: 'v2-bucket', Key: 'big', UploadId: 'no-such-upload' })),
    ).toMatchObject({ code: 'NoSuchUpload', statusCode: 404 });
  });

  it('SNS: topics and publishing, and its error codes', async () => {
    const sns = new AWS.SNS(options);
    const { TopicArn } = await sns
      .createTopic({ Name: 'v2-topic', Attributes: { DisplayName: 'v2' } })
      .promise();
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:v2-topic`);
    expect((await sns.getTopicAttributes({ TopicArn: TopicArn! }).promise()).Attributes).toMatchObject({
      DisplayName: 'v2',
    });
    expect(
      (
        await sns
          .publish({
            TopicArn,
            Message: 'hi',
            MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
          })
          .promise()
      ).MessageId,
    ).toMatch(/^[0-9a-f-]{36}$/);
    expect(await failure(sns.publish({ TopicArn: `${TopicArn}-nope`, Message: 'x' }))).toMatchObject({
      code: 'NotFound',
      statusCode: 404,
    });
    expect(await failure(sns.publish({ TopicArn, Message: '' }))).toMatchObject({
      code: 'InvalidParameter',
      statusCode: 400,
    });
  });

  it('Step Functions: a machine and an execution, and its error codes', async () => {
    const sfn = new AWS.StepFunctions(options);
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const { stateMachineArn, creationDate } = await sfn
      .createStateMachine({ name: 'v2-machine', definition, roleArn: ROLE })
      .promise();
    expect(creationDate).toBeInstanceOf(Date);
    const { executionArn } = await sfn
      .startExecution({ stateMachineArn, name: 'v2-run', input: '{"x":1}' })
      .promise();
    let status = 'RUNNING';
    for (let i = 0; i < 100 && status === 'RUNNING'; i++) {
      status = (await sfn.describeExecution({ executionArn }).promise()).status;
    }
    expect(status).toBe('SUCCEEDED');
    expect((await sfn.describeExecution({ executionArn }).promise()).output).toBe('{"x":1}');
    expect(
      await failure(sfn.describeStateMachine({ stateMachineArn: `${stateMachineArn}-nope` })),
    ).toMatchObject({
      code: 'StateMachineDoesNotExist',
      statusCode: 400,
    });
    expect(await failure(sfn.startExecution({ stateMachineArn, input: 'not json' }))).toMatchObject({
      code: 'InvalidExecutionInput',
    });
  });

  it('DynamoDB: a table and items, and its error codes', async () => {
    const ddb = new AWS.DynamoDB(options);
    await ddb
      .createTable({
        TableName: 'v2-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      })
      .promise();
    const doc = new AWS.DynamoDB.DocumentClient({ service: ddb });
    await doc.put({ TableName: 'v2-table', Item: { id: 'a', n: 1, tags: ['x'] } }).promise();
    expect((await doc.get({ TableName: 'v2-table', Key: { id: 'a' } }).promise()).Item).toEqual({
      id: 'a',
      n: 1,
      tags: ['x'],
    });
    const updated = await doc
      .update({
        TableName: 'v2-table',
        Key: { id: 'a' },
        UpdateExpression: 'SET n = n + :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      })
      .promise();
    expect(updated.Attributes).toEqual({ n: 2 });
    expect(
      await failure(
        doc.put({
          TableName: 'v2-table',
          Item: { id: 'a' },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    ).toMatchObject({ code: 'ConditionalCheckFailedException', statusCode: 400 });
    expect(await failure(ddb.describeTable({ TableName: 'nope' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      statusCode: 400,
    });
  });

  it('EventBridge: the default bus, rules and events, and its error codes', async () => {
    const eb = new AWS.EventBridge(options);
    const { EventBuses } = await eb.listEventBuses().promise();
    expect(EventBuses).toEqual([
      {
        Name: 'default',
        Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`,
        CreationTime: expect.any(Date),
        LastModifiedTime: expect.any(Date),
      },
    ]);
    await eb.putRule({ Name: 'v2-rule', EventPattern: '{"source":["v2"]}', State: 'DISABLED' }).promise();
    expect((await eb.describeRule({ Name: 'v2-rule' }).promise()).State).toBe('DISABLED');
    const put = await eb
      .putEvents({
        Entries: [
          { Source: 'v2', DetailType: 'T', Detail: '{}' },
          { Source: 'v2', DetailType: 'T', Detail: 'not json' },
        ],
      })
      .promise();
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(await failure(eb.describeEventBus({ Name: 'orders' }))).toMatchObject({
      code: 'ResourceNotFoundException',
      statusCode: 400,
    });
    expect(await failure(eb.putRule({ Name: 'v2-bad', EventPattern: '[]' }))).toMatchObject({
      code: 'InvalidEventPatternException',
    });
  });
});
