import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { AwsCli, type CliJson } from '../helpers/aws-cli.ts';
import { startSandbox } from '../helpers/sandbox.ts';

/**
 * The sandbox driven by Debian's AWS CLI (botocore), a client other than the SDK v3 the project
 * uses, across every service it serves: the answers parse into AWS's shapes and errors come back
 * with AWS's codes. CloudWatch is the case that matters most: this CLI speaks its query protocol.
 */

type Json = CliJson;
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/faultline`;
const MiB = 1024 * 1024;

describe('the sandbox through the AWS CLI', () => {
  let sb: Sandbox;
  let aws: AwsCli;

  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    aws = new AwsCli(started.config.endpoint, started.config.region);
  });
  afterAll(async () => {
    await aws?.close();
    await sb?.close();
  });

  it('is Debian’s AWS CLI 2.9, which needs --endpoint-url (it does not read AWS_ENDPOINT_URL)', async () => {
    const version = await aws.exec('--version');
    expect(version.rc).toBe(0);
    expect(version.stdout).toMatch(/^aws-cli\/2\.9\.\d+ .*source\/\S+\.debian/);
  });

  it('CloudWatch, over the query protocol: alarms, metrics, history and its error codes', async () => {
    const alarms = await aws.json('cloudwatch', 'describe-alarms');
    expect(alarms.MetricAlarms.map((a: Json) => a.AlarmName)).toContain('checkout-5xx-rate');
    expect(alarms.MetricAlarms[0]).toMatchObject({
      AlarmArn: expect.stringMatching(/^arn:aws:cloudwatch:us-east-1:123456789012:alarm:/),
      StateValue: expect.stringMatching(/^(OK|ALARM|INSUFFICIENT_DATA)$/),
      Dimensions: expect.any(Array),
      Period: expect.any(Number),
      Threshold: expect.any(Number),
      AlarmConfigurationUpdatedTimestamp: expect.stringMatching(/^2026-01-05T/),
    });
    expect(alarms.CompositeAlarms).toEqual([]);

    expect(
      await aws.json(
        'cloudwatch',
        'put-metric-data',
        '--namespace',
        'Cli/Test',
        '--metric-data',
        JSON.stringify([
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'Service', Value: 'cli' }],
            Values: [10, 20],
            Counts: [1, 3],
            Timestamp: '2026-01-05T08:58:10Z',
          },
          {
            MetricName: 'Latency',
            Dimensions: [{ Name: 'Service', Value: 'cli' }],
            Value: 40,
            Timestamp: '2026-01-05T08:59:10Z',
          },
        ]),
      ),
    ).toBeUndefined();
    const stats = await aws.json(
      'cloudwatch',
      'get-metric-statistics',
      ...['--namespace', 'Cli/Test', '--metric-name', 'Latency', '--dimensions', 'Name=Service,Value=cli'],
      ...['--start-time', '2026-01-05T08:58:00Z', '--end-time', '2026-01-05T09:00:00Z', '--period', '60'],
      ...['--statistics', 'Maximum', 'SampleCount'],
    );
    expect(stats.Label).toBe('Latency');
    expect(stats.Datapoints.sort((a: Json, b: Json) => a.Timestamp.localeCompare(b.Timestamp))).toEqual([
      { Timestamp: '2026-01-05T08:58:00+00:00', SampleCount: 4, Maximum: 20, Unit: 'None' },
      { Timestamp: '2026-01-05T08:59:00+00:00', SampleCount: 1, Maximum: 40, Unit: 'None' },
    ]);
    const pct = await aws.json(
      'cloudwatch',
      'get-metric-statistics',
      ...['--namespace', 'Cli/Test', '--metric-name', 'Latency', '--dimensions', 'Name=Service,Value=cli'],
      ...['--start-time', '2026-01-05T08:58:00Z', '--end-time', '2026-01-05T08:59:00Z', '--period', '60'],
      ...['--extended-statistics', 'p50'],
    );
    expect(pct.Datapoints[0].ExtendedStatistics).toEqual({ p50: 20 });

    const data = await aws.json(
      'cloudwatch',
      'get-metric-data',
      ...['--start-time', '2026-01-05T08:58:00Z', '--end-time', '2026-01-05T09:00:00Z'],
      '--metric-data-queries',
      JSON.stringify([
        {
          Id: 'lat',
          MetricStat: {
            Metric: {
              Namespace: 'Cli/Test',
              MetricName: 'Latency',
              Dimensions: [{ Name: 'Service', Value: 'cli' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ]),
    );
    expect(data.MetricDataResults).toEqual([
      {
        Id: 'lat',
        Label: 'Latency',
        Timestamps: ['2026-01-05T08:59:00+00:00', '2026-01-05T08:58:00+00:00'],
        Values: [40, 70],
        StatusCode: 'Complete',
        Messages: [],
      },
    ]);
    const listed = await aws.json('cloudwatch', 'list-metrics', '--namespace', 'Cli/Test');
    expect(listed.Metrics).toEqual([
      { Namespace: 'Cli/Test', MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cli' }] },
    ]);

    await aws.json(
      'cloudwatch',
      'put-metric-alarm',
      ...['--alarm-name', 'cli-latency', '--namespace', 'Cli/Test', '--metric-name', 'Latency'],
      ...['--dimensions', 'Name=Service,Value=cli', '--statistic', 'Maximum', '--period', '60'],
      ...['--evaluation-periods', '1', '--threshold', '30', '--comparison-operator', 'GreaterThanThreshold'],
      ...['--tags', 'Key=team,Value=sre'],
    );
    await aws.json(
      'cloudwatch',
      'set-alarm-state',
      ...['--alarm-name', 'cli-latency', '--state-value', 'ALARM', '--state-reason', 'from the CLI'],
    );
    const mine = await aws.json('cloudwatch', 'describe-alarms', '--alarm-names', 'cli-latency');
    expect(mine.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'cli-latency',
        StateValue: 'ALARM',
        StateReason: 'from the CLI',
        Threshold: 30,
        Dimensions: [{ Name: 'Service', Value: 'cli' }],
        ActionsEnabled: true,
        AlarmActions: [],
      }),
    ]);
    const forMetric = await aws.json(
      'cloudwatch',
      'describe-alarms-for-metric',
      ...['--namespace', 'Cli/Test', '--metric-name', 'Latency', '--dimensions', 'Name=Service,Value=cli'],
    );
    expect(forMetric.MetricAlarms.map((a: Json) => a.AlarmName)).toEqual(['cli-latency']);
    const history = await aws.json('cloudwatch', 'describe-alarm-history', '--alarm-name', 'cli-latency');
    expect(history.AlarmHistoryItems.map((h: Json) => [h.HistoryItemType, h.HistorySummary])).toEqual([
      ['StateUpdate', 'Alarm updated from INSUFFICIENT_DATA to ALARM'],
      ['ConfigurationUpdate', 'Alarm "cli-latency" created'],
    ]);
    const arn = mine.MetricAlarms[0].AlarmArn;
    expect((await aws.json('cloudwatch', 'list-tags-for-resource', '--resource-arn', arn)).Tags).toEqual([
      { Key: 'team', Value: 'sre' },
    ]);
    await aws.json('cloudwatch', 'disable-alarm-actions', '--alarm-names', 'cli-latency');
    expect(
      (await aws.json('cloudwatch', 'describe-alarms', '--alarm-names', 'cli-latency')).MetricAlarms[0]
        .ActionsEnabled,
    ).toBe(false);
    await aws.json('cloudwatch', 'delete-alarms', '--alarm-names', 'cli-latency');
    expect(
      (await aws.json('cloudwatch', 'describe-alarms', '--alarm-names', 'cli-latency')).MetricAlarms,
    ).toEqual([]);

    expect(
      await aws.error(
        'cloudwatch',
        'set-alarm-state',
        '--alarm-name',
        'nope',
        '--state-value',
        'OK',
        '--state-reason',
        'x',
      ),
    ).toMatchObject({ code: 'ResourceNotFound', message: 'Alarm nope does not exist.' });
    expect(await aws.error('cloudwatch', 'describe-alarms', '--state-value', 'RED')).toMatchObject({
      code: 'ValidationError',
      message: expect.stringMatching(/Value 'RED' at 'stateValue' failed to satisfy constraint/),
    });
    expect(
      await aws.error(
        'cloudwatch',
        'get-metric-statistics',
        ...['--namespace', 'N', '--metric-name', 'M', '--period', '60', '--statistics', 'Sum'],
        ...[
          '--extended-statistics',
          'p99',
          '--start-time',
          '2026-01-05T08:00:00Z',
          '--end-time',
          '2026-01-05T09:00:00Z',
        ],
      ),
    ).toMatchObject({ code: 'InvalidParameterCombination' });
    expect(
      await aws.error(
        'cloudwatch',
        'put-metric-data',
        '--namespace',
        'AWS/EC2',
        '--metric-name',
        'M',
        '--value',
        '1',
      ),
    ).toMatchObject({
      code: 'InvalidParameterValue',
      message: expect.stringMatching(/AWS\/ prefix is reserved/),
    });
  });

  it('FIS: actions, templates and an experiment through its states, and its error codes', async () => {
    const actions = await aws.json('fis', 'list-actions');
    expect(actions.actions.map((a: Json) => a.id)).toContain('aws:ec2:stop-instances');
    const template = {
      clientToken: 'cli-1',
      description: 'stop one checkout instance',
      roleArn: ROLE,
      stopConditions: [{ source: 'none' }],
      targets: {
        web: {
          resourceType: 'aws:ec2:instance',
          resourceTags: { Service: 'checkout' },
          selectionMode: 'COUNT(1)',
        },
      },
      actions: {
        stop: { actionId: 'aws:ec2:stop-instances', targets: { Instances: 'web' } },
      },
      tags: { Name: 'cli' },
    };
    const created = (
      await aws.json('fis', 'create-experiment-template', '--cli-input-json', JSON.stringify(template))
    ).experimentTemplate;
    expect(created).toMatchObject({
      id: expect.stringMatching(/^EXT/),
      description: 'stop one checkout instance',
      roleArn: ROLE,
      tags: { Name: 'cli' },
      creationTime: expect.stringMatching(/^2026-01-05T/),
    });
    expect(
      (await aws.json('fis', 'list-experiment-templates')).experimentTemplates.map((t: Json) => t.id),
    ).toContain(created.id);
    const started = (await aws.json('fis', 'start-experiment', '--experiment-template-id', created.id))
      .experiment;
    expect(started).toMatchObject({ id: expect.stringMatching(/^EXP/), state: { status: 'pending' } });
    await sb.clock.advance(5_000);
    const running = (await aws.json('fis', 'get-experiment', '--id', started.id)).experiment;
    expect(running.state.status).toBe('running');
    expect(running.actions.stop.state.status).toBe('running');
    const experiments = await aws.json('fis', 'list-experiments');
    expect(experiments.experiments).toContainEqual(
      expect.objectContaining({
        id: started.id,
        experimentTemplateId: created.id,
        state: expect.any(Object),
      }),
    );
    expect((await aws.json('fis', 'stop-experiment', '--id', started.id)).experiment.state.status).toBe(
      'stopping',
    );
    await sb.clock.advance(60_000);
    expect((await aws.json('fis', 'get-experiment', '--id', started.id)).experiment.state.status).toBe(
      'stopped',
    );

    expect(await aws.error('fis', 'get-experiment-template', '--id', 'EXT0000000000000')).toMatchObject({
      code: 'ResourceNotFoundException',
    });
    const kill = {
      ...template,
      clientToken: 'cli-2',
      actions: {
        kill: {
          actionId: 'aws:ssm:send-command',
          targets: { Instances: 'web' },
          parameters: {
            documentArn: 'arn:aws:ssm:us-east-1::document/AWSFIS-Run-CPU-Stress',
            duration: 'PT1M',
          },
        },
      },
    };
    const refused = await aws.error(
      'fis',
      'create-experiment-template',
      '--cli-input-json',
      JSON.stringify(kill),
    );
    expect(refused).toMatchObject({
      code: 'ValidationException',
      message: expect.stringMatching(/AWSFIS-Run-CPU-Stress, which the sandbox cannot run/),
    });
    expect(refused.message).not.toMatch(/faultline/i);
  });

  it('SSM: parameters, runbooks and an automation, and its error codes', async () => {
    const put = await aws.json(
      'ssm',
      'put-parameter',
      ...['--name', '/cli/switch', '--value', 'off', '--type', 'String'],
    );
    expect(put).toEqual({ Version: 1, Tier: 'Standard' });
    expect((await aws.json('ssm', 'get-parameter', '--name', '/cli/switch')).Parameter).toMatchObject({
      Name: '/cli/switch',
      Value: 'off',
      Type: 'String',
      Version: 1,
      ARN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/cli/switch`,
      LastModifiedDate: expect.stringMatching(/^2026-01-05T/),
    });
    await aws.json('ssm', 'put-parameter', '--name', '/cli/switch', '--value', 'on', '--overwrite');
    const byPath = await aws.json('ssm', 'get-parameters-by-path', '--path', '/cli');
    expect(byPath.Parameters.map((p: Json) => [p.Name, p.Value])).toEqual([['/cli/switch', 'on']]);
    const hist = await aws.json('ssm', 'get-parameter-history', '--name', '/cli/switch');
    expect(hist.Parameters.map((p: Json) => p.Value)).toEqual(['off', 'on']);
    expect(
      (await aws.json('ssm', 'describe-parameters', '--parameter-filters', 'Key=Name,Values=/cli/switch'))
        .Parameters,
    ).toHaveLength(1);
    expect(await aws.error('ssm', 'get-parameter', '--name', '/cli/nope')).toMatchObject({
      code: 'ParameterNotFound',
    });
    expect(
      await aws.error('ssm', 'put-parameter', '--name', '/cli/switch', '--value', 'x', '--type', 'String'),
    ).toMatchObject({ code: 'ParameterAlreadyExists' });

    const doc = (await aws.json('ssm', 'describe-document', '--name', 'AWS-RestartEC2Instance')).Document;
    expect(doc).toMatchObject({
      Name: 'AWS-RestartEC2Instance',
      DocumentType: 'Automation',
      Status: 'Active',
    });
    const content = await aws.json('ssm', 'get-document', '--name', 'AWS-RestartEC2Instance');
    expect(createHash('sha256').update(content.Content).digest('hex')).toBe(doc.Hash);
    expect((await aws.json('ssm', 'list-documents')).DocumentIdentifiers.map((d: Json) => d.Name)).toContain(
      'Faultline-ScaleOut',
    );

    // A customer's runbook, created by botocore: kept as written, and a second one by that name refused.
    const yaml =
      "schemaVersion: '0.3'\nmainSteps:\n  - { name: Nap, action: aws:sleep, inputs: { Duration: PT1M } }\n";
    const create = [
      '--name',
      'CliNap',
      '--content',
      yaml,
      '--document-type',
      'Automation',
      '--document-format',
      'YAML',
    ];
    expect((await aws.json('ssm', 'create-document', ...create)).DocumentDescription).toMatchObject({
      Name: 'CliNap',
      DocumentType: 'Automation',
      DocumentFormat: 'YAML',
      SchemaVersion: '0.3',
      Status: 'Active',
    });
    expect(await aws.error('ssm', 'create-document', ...create)).toMatchObject({
      code: 'DocumentAlreadyExists',
    });

    const instance = sb.world.instances()[0]!.id;
    const { AutomationExecutionId } = await aws.json(
      'ssm',
      'start-automation-execution',
      ...['--document-name', 'AWS-RestartEC2Instance', '--parameters', `InstanceId=${instance}`],
    );
    expect(AutomationExecutionId).toMatch(/^[0-9a-f-]{36}$/);
    await sb.clock.advance(5 * 60_000);
    const exec = (
      await aws.json('ssm', 'get-automation-execution', '--automation-execution-id', AutomationExecutionId)
    ).AutomationExecution;
    expect(exec).toMatchObject({
      DocumentName: 'AWS-RestartEC2Instance',
      AutomationExecutionStatus: 'Success',
    });
    expect(exec.StepExecutions.map((s: Json) => [s.StepName, s.StepStatus])).toEqual([
      ['stopInstances', 'Success'],
      ['startInstances', 'Success'],
    ]);
    const listedExecs = await aws.json('ssm', 'describe-automation-executions');
    expect(listedExecs.AutomationExecutionMetadataList.map((e: Json) => e.AutomationExecutionId)).toContain(
      AutomationExecutionId,
    );
    expect(
      await aws.error(
        'ssm',
        'start-automation-execution',
        '--document-name',
        'AWS-RestartEC2Instance',
        '--parameters',
        'Nope=1',
      ),
    ).toMatchObject({ code: 'InvalidAutomationExecutionParametersException' });
  });

  it('Route 53: zones, records, changes, health checks, and its error codes', async () => {
    const zones = await aws.json('route53', 'list-hosted-zones');
    expect(zones.HostedZones).toEqual([
      expect.objectContaining({ Name: 'example.com.', Id: expect.stringMatching(/^\/hostedzone\/Z/) }),
    ]);
    const zoneId = zones.HostedZones[0].Id;
    const records = await aws.json('route53', 'list-resource-record-sets', '--hosted-zone-id', zoneId);
    expect(records.ResourceRecordSets.map((r: Json) => r.Type)).toEqual(
      expect.arrayContaining(['SOA', 'NS', 'A']),
    );
    const failover = records.ResourceRecordSets.filter((r: Json) => r.Failover);
    expect(failover.map((r: Json) => r.Failover).sort()).toEqual(['PRIMARY', 'SECONDARY']);

    const change = await aws.json(
      'route53',
      'change-resource-record-sets',
      '--hosted-zone-id',
      zoneId,
      '--change-batch',
      JSON.stringify({
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'cli.example.com',
              Type: 'TXT',
              TTL: 60,
              ResourceRecords: [{ Value: '"hello"' }],
            },
          },
        ],
      }),
    );
    expect(change.ChangeInfo).toMatchObject({ Status: 'PENDING', Id: expect.stringMatching(/^\/change\//) });
    await sb.clock.advance(90_000);
    expect((await aws.json('route53', 'get-change', '--id', change.ChangeInfo.Id)).ChangeInfo.Status).toBe(
      'INSYNC',
    );

    const checks = await aws.json('route53', 'list-health-checks');
    expect(checks.HealthChecks).toHaveLength(2);
    expect(checks.HealthChecks[0].HealthCheckConfig).toMatchObject({
      Type: 'HTTPS',
      Port: 443,
      ResourcePath: '/health',
    });
    const status = await aws.json(
      'route53',
      'get-health-check-status',
      '--health-check-id',
      checks.HealthChecks[0].Id,
    );
    expect(status.HealthCheckObservations.length).toBeGreaterThan(0);
    const lastFailure = await aws.json(
      'route53',
      'get-health-check-last-failure-reason',
      '--health-check-id',
      checks.HealthChecks[0].Id,
    );
    expect(lastFailure).toEqual({ HealthCheckObservations: [] });

    expect(await aws.error('route53', 'get-hosted-zone', '--id', 'Z0000000000000000000')).toMatchObject({
      code: 'NoSuchHostedZone',
    });
    expect(
      await aws.error(
        'route53',
        'change-resource-record-sets',
        '--hosted-zone-id',
        zoneId,
        '--change-batch',
        JSON.stringify({
          Changes: [
            {
              Action: 'DELETE',
              ResourceRecordSet: {
                Name: 'none.example.com',
                Type: 'A',
                TTL: 60,
                ResourceRecords: [{ Value: '192.0.2.1' }],
              },
            },
          ],
        }),
      ),
    ).toMatchObject({ code: 'InvalidChangeBatch' });
  });

  it('EC2: instances, status, network, tags, and its error codes', async () => {
    const reservations = (
      await aws.json('ec2', 'describe-instances', '--filters', 'Name=tag:Service,Values=checkout')
    ).Reservations;
    const instances = reservations.flatMap((r: Json) => r.Instances);
    expect(instances.map((i: Json) => i.InstanceId).sort()).toEqual(
      sb.world
        .instances()
        .map((i) => i.id)
        .sort(),
    );
    expect(instances[0]).toMatchObject({
      InstanceId: expect.stringMatching(/^i-/),
      State: { Code: 16, Name: 'running' },
      Placement: { AvailabilityZone: expect.stringMatching(/^us-east-1[abc]$/) },
      Tags: expect.arrayContaining([{ Key: 'Service', Value: 'checkout' }]),
    });
    const status = await aws.json(
      'ec2',
      'describe-instance-status',
      '--instance-ids',
      instances[0].InstanceId,
    );
    expect(status.InstanceStatuses[0]).toMatchObject({ InstanceState: { Name: 'running' } });
    expect((await aws.json('ec2', 'describe-subnets')).Subnets).toHaveLength(3);
    expect((await aws.json('ec2', 'describe-vpcs')).Vpcs[0]).toMatchObject({ CidrBlock: '10.0.0.0/16' });
    expect((await aws.json('ec2', 'describe-regions')).Regions).toEqual([
      {
        Endpoint: 'ec2.us-east-1.amazonaws.com',
        RegionName: 'us-east-1',
        OptInStatus: 'opt-in-not-required',
      },
    ]);
    expect((await aws.json('ec2', 'describe-availability-zones')).AvailabilityZones).toHaveLength(3);
    expect(
      (
        await aws.json(
          'ec2',
          'describe-tags',
          '--filters',
          `Name=resource-id,Values=${instances[0].InstanceId}`,
        )
      ).Tags,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ Key: 'Service', Value: 'checkout' })]));

    expect(
      await aws.error('ec2', 'stop-instances', '--instance-ids', instances[0].InstanceId, '--dry-run'),
    ).toMatchObject({ code: 'DryRunOperation' });
    expect(await aws.error('ec2', 'describe-instances', '--instance-ids', 'i-nope')).toMatchObject({
      code: 'InvalidInstanceID.Malformed',
    });
    expect(
      await aws.error('ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0'),
    ).toMatchObject({
      code: 'InvalidInstanceID.NotFound',
    });
    const stopped = await aws.json('ec2', 'stop-instances', '--instance-ids', instances[0].InstanceId);
    expect(stopped.StoppingInstances).toEqual([
      {
        InstanceId: instances[0].InstanceId,
        CurrentState: { Code: 64, Name: 'stopping' },
        PreviousState: { Code: 16, Name: 'running' },
      },
    ]);
  });

  it('S3: buckets, objects, a multipart copy of 9 MiB both ways, and its error codes', async () => {
    expect((await aws.run('s3', 'mb', 's3://cli-bucket')).stdout).toContain('make_bucket: cli-bucket');
    await writeFile(join(aws.dir, 'small.txt'), 'hello from the CLI');
    expect(
      (await aws.run('s3', 'cp', join(aws.dir, 'small.txt'), 's3://cli-bucket/notes/small.txt')).rc,
    ).toBe(0);
    const head = await aws.json('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'notes/small.txt');
    expect(head).toMatchObject({
      ContentLength: 18,
      ETag: `"${createHash('md5').update('hello from the CLI').digest('hex')}"`,
      ContentType: 'text/plain',
    });
    const listed = await aws.json('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'notes/');
    expect(listed).toMatchObject({
      Contents: [expect.objectContaining({ Key: 'notes/small.txt', Size: 18 })],
    });
    expect((await aws.run('s3', 'ls', 's3://cli-bucket/notes/')).stdout).toMatch(/ 18 small\.txt/);
    expect(await aws.json('s3api', 'get-bucket-location', '--bucket', 'cli-bucket')).toEqual({
      LocationConstraint: null,
    });

    // 9 MiB: `aws s3 cp` uploads it in 8 MiB parts and downloads it in ranges.
    const big = Buffer.alloc(9 * MiB);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    await writeFile(join(aws.dir, 'big.bin'), big);
    const up = await aws.run(
      's3',
      'cp',
      join(aws.dir, 'big.bin'),
      's3://cli-bucket/big.bin',
      '--only-show-errors',
    );
    expect(up).toMatchObject({ rc: 0, stderr: '' });
    const md5s = Buffer.concat(
      [big.subarray(0, 8 * MiB), big.subarray(8 * MiB)].map((p) => createHash('md5').update(p).digest()),
    );
    expect((await aws.json('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'big.bin')).ETag).toBe(
      `"${createHash('md5').update(md5s).digest('hex')}-2"`,
    );
    const down = await aws.run(
      's3',
      'cp',
      's3://cli-bucket/big.bin',
      join(aws.dir, 'back.bin'),
      '--only-show-errors',
    );
    expect(down).toMatchObject({ rc: 0, stderr: '' });
    expect((await readFile(join(aws.dir, 'back.bin'))).equals(big)).toBe(true);

    const upload = await aws.json(
      's3api',
      'create-multipart-upload',
      '--bucket',
      'cli-bucket',
      '--key',
      'parts',
    );
    expect((await aws.json('s3api', 'list-multipart-uploads', '--bucket', 'cli-bucket')).Uploads).toEqual([
      expect.objectContaining({ Key: 'parts', UploadId: upload.UploadId }),
    ]);
    await aws.json(
      's3api',
      'abort-multipart-upload',
      '--bucket',
      'cli-bucket',
      '--key',
      'parts',
      '--upload-id',
      upload.UploadId,
    );
    expect(
      await aws.error(
        's3api',
        'list-parts',
        '--bucket',
        'cli-bucket',
        '--key',
        'parts',
        '--upload-id',
        upload.UploadId,
      ),
    ).toMatchObject({ code: 'NoSuchUpload' });
    expect(
      await aws.error(
        's3api',
        'get-object',
        '--bucket',
        'cli-bucket',
        '--key',
        'nope',
        join(aws.dir, 'nope'),
      ),
    ).toMatchObject({ code: 'NoSuchKey' });
    expect(await aws.error('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'nope')).toMatchObject({
      code: '404',
    });
    expect(await aws.error('s3api', 'list-objects-v2', '--bucket', 'no-such-bucket')).toMatchObject({
      code: 'NoSuchBucket',
    });
    expect(await aws.error('s3api', 'delete-bucket', '--bucket', 'cli-bucket')).toMatchObject({
      code: 'BucketNotEmpty',
    });
  });

  it('SNS: topics, subscriptions, publishing, and its error codes', async () => {
    const { TopicArn } = await aws.json('sns', 'create-topic', '--name', 'cli-topic');
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:cli-topic`);
    expect((await aws.json('sns', 'list-topics')).Topics).toContainEqual({ TopicArn });
    const attrs = (await aws.json('sns', 'get-topic-attributes', '--topic-arn', TopicArn)).Attributes;
    expect(attrs).toMatchObject({ TopicArn, Owner: ACCOUNT });
    const sub = await aws.json(
      'sns',
      'subscribe',
      '--topic-arn',
      TopicArn,
      '--protocol',
      'email',
      '--notification-endpoint',
      'sre@example.com',
    );
    expect(sub.SubscriptionArn).toBe('pending confirmation');
    const subs = await aws.json('sns', 'list-subscriptions-by-topic', '--topic-arn', TopicArn);
    expect(subs.Subscriptions).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'sre@example.com', TopicArn }),
    ]);
    const published = await aws.json(
      'sns',
      'publish',
      '--topic-arn',
      TopicArn,
      '--subject',
      'hi',
      '--message',
      'from the CLI',
    );
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      await aws.error(
        'sns',
        'publish',
        '--topic-arn',
        `arn:aws:sns:us-east-1:${ACCOUNT}:nope`,
        '--message',
        'x',
      ),
    ).toMatchObject({ code: 'NotFound' });
    expect(await aws.error('sns', 'create-topic', '--name', 'bad name')).toMatchObject({
      code: 'InvalidParameter',
    });
  });

  it('Step Functions: a state machine, an execution and its history, and its error codes', async () => {
    const definition = JSON.stringify({
      StartAt: 'P',
      States: { P: { Type: 'Pass', Result: { ok: true }, End: true } },
    });
    const { stateMachineArn } = await aws.json(
      'stepfunctions',
      'create-state-machine',
      ...['--name', 'cli-machine', '--definition', definition, '--role-arn', ROLE],
    );
    expect(stateMachineArn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:cli-machine`);
    const { executionArn } = await aws.json(
      'stepfunctions',
      'start-execution',
      ...['--state-machine-arn', stateMachineArn, '--name', 'run-1', '--input', '{"a":1}'],
    );
    let exec: Json = {};
    for (let i = 0; i < 100 && exec.status !== 'SUCCEEDED'; i++) {
      exec = await aws.json('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
    }
    expect(exec).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"ok":true}',
      input: '{"a":1}',
      name: 'run-1',
    });
    const history = await aws.json('stepfunctions', 'get-execution-history', '--execution-arn', executionArn);
    expect(history.events.map((e: Json) => e.type)).toEqual(
      expect.arrayContaining(['ExecutionStarted', 'PassStateEntered', 'ExecutionSucceeded']),
    );
    expect(
      (
        await aws.json(
          'stepfunctions',
          'describe-state-machine-for-execution',
          '--execution-arn',
          executionArn,
        )
      ).definition,
    ).toBe(definition);
    expect(
      (await aws.json('stepfunctions', 'list-executions', '--state-machine-arn', stateMachineArn)).executions,
    ).toHaveLength(1);
    expect(
      await aws.error(
        'stepfunctions',
        'describe-execution',
        '--execution-arn',
        `arn:aws:states:us-east-1:${ACCOUNT}:execution:cli-machine:nope`,
      ),
    ).toMatchObject({ code: 'ExecutionDoesNotExist' });
    expect(
      await aws.error(
        'stepfunctions',
        'start-execution',
        '--state-machine-arn',
        stateMachineArn,
        '--name',
        'run-1',
        '--input',
        '{"a":2}',
      ),
    ).toMatchObject({ code: 'ExecutionAlreadyExists' });
  });

  it('DynamoDB: a table, items, a query, and its error codes', async () => {
    const created = await aws.json(
      'dynamodb',
      'create-table',
      ...['--table-name', 'cli-table', '--billing-mode', 'PAY_PER_REQUEST'],
      ...['--attribute-definitions', 'AttributeName=pk,AttributeType=S', 'AttributeName=sk,AttributeType=N'],
      ...['--key-schema', 'AttributeName=pk,KeyType=HASH', 'AttributeName=sk,KeyType=RANGE'],
    );
    expect(created.TableDescription).toMatchObject({
      TableName: 'cli-table',
      TableStatus: expect.any(String),
    });
    for (const sk of ['1', '2']) {
      await aws.json(
        'dynamodb',
        'put-item',
        '--table-name',
        'cli-table',
        '--item',
        JSON.stringify({ pk: { S: 'a' }, sk: { N: sk }, v: { S: `v${sk}` } }),
      );
    }
    const item = await aws.json(
      'dynamodb',
      'get-item',
      '--table-name',
      'cli-table',
      '--key',
      '{"pk":{"S":"a"},"sk":{"N":"2"}}',
    );
    expect(item.Item).toEqual({ pk: { S: 'a' }, sk: { N: '2' }, v: { S: 'v2' } });
    const query = await aws.json(
      'dynamodb',
      'query',
      ...[
        '--table-name',
        'cli-table',
        '--key-condition-expression',
        'pk = :p',
        '--expression-attribute-values',
        '{":p":{"S":"a"}}',
      ],
    );
    expect(query).toMatchObject({
      Count: 2,
      Items: [expect.objectContaining({ sk: { N: '1' } }), expect.objectContaining({ sk: { N: '2' } })],
    });
    expect(
      await aws.error(
        'dynamodb',
        'put-item',
        ...['--table-name', 'cli-table', '--item', '{"pk":{"S":"a"},"sk":{"N":"1"}}'],
        ...['--condition-expression', 'attribute_not_exists(pk)'],
      ),
    ).toMatchObject({ code: 'ConditionalCheckFailedException' });
    expect(await aws.error('dynamodb', 'describe-table', '--table-name', 'nope')).toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('EventBridge: the default bus, rules, events, pattern tests, and its error codes', async () => {
    expect((await aws.json('events', 'list-event-buses')).EventBuses).toEqual([
      { Name: 'default', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` },
    ]);
    expect(await aws.json('events', 'describe-event-bus')).toMatchObject({ Name: 'default' });
    const { RuleArn } = await aws.json(
      'events',
      'put-rule',
      ...['--name', 'cli-rule', '--event-pattern', '{"source":["cli.test"]}'],
    );
    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/cli-rule`);
    expect(await aws.json('events', 'describe-rule', '--name', 'cli-rule')).toMatchObject({
      Name: 'cli-rule',
      State: 'ENABLED',
      EventBusName: 'default',
    });
    expect((await aws.json('events', 'list-rules', '--name-prefix', 'cli-')).Rules).toHaveLength(1);
    const put = await aws.json(
      'events',
      'put-events',
      '--entries',
      JSON.stringify([{ Source: 'cli.test', DetailType: 'Tested', Detail: '{"n":1}' }]),
    );
    expect(put).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
    });
    const event = JSON.stringify({
      id: '1',
      account: ACCOUNT,
      source: 'cli.test',
      time: '2026-01-05T09:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'Tested',
      detail: {},
    });
    expect(
      await aws.json(
        'events',
        'test-event-pattern',
        '--event-pattern',
        '{"source":["cli.test"]}',
        '--event',
        event,
      ),
    ).toEqual({ Result: true });
    expect(await aws.error('events', 'describe-rule', '--name', 'nope')).toMatchObject({
      code: 'ResourceNotFoundException',
    });
    expect(await aws.error('events', 'describe-event-bus', '--name', 'orders')).toMatchObject({
      code: 'ResourceNotFoundException',
    });
    expect(
      await aws.error('events', 'put-rule', '--name', 'bad', '--event-pattern', '{"source":"not-a-list"}'),
    ).toMatchObject({ code: 'InvalidEventPatternException' });
  });
});
