import { connect } from 'node:net';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateExperimentTemplateCommand, FisClient, ListActionsCommand } from '@aws-sdk/client-fis';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

/**
 * Malformed requests, sent by hand the way a broken client or a curl user would, must get each
 * service's own error shape and status, change nothing, and leave the server serving.
 */

/** What an SDK puts in Authorization: the credential scope names the service's signing name. */
function signedFor(signingName: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKID/20260105/us-east-1/${signingName}/aws4_request, SignedHeaders=host, Signature=x`;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

describe('bad requests across the sandbox services', () => {
  let sb: Sandbox;
  let config: ClientConfig;

  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
  });
  afterAll(async () => {
    await sb.close();
  });

  async function send(path: string, init: RequestInit): Promise<Answer> {
    const res = await fetch(`${config.endpoint}${path}`, init);
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** POST / with X-Amz-Target and a JSON body, as awsJson1_0 / awsJson1_1 clients send it. */
  function jsonCall(signingName: string, target: string, version: '1.0' | '1.1', body: string | Buffer) {
    return send('/', {
      method: 'POST',
      headers: {
        authorization: signedFor(signingName),
        'x-amz-target': target,
        'content-type': `application/x-amz-json-${version}`,
      },
      body,
    });
  }

  /** POST / with a form body, as awsQuery / ec2Query clients send it. */
  function formCall(signingName: string, body: string) {
    return send('/', {
      method: 'POST',
      headers: {
        authorization: signedFor(signingName),
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body,
    });
  }

  describe('awsJson1_1 (SSM)', () => {
    it('answers a body that is not JSON with a SerializationException', async () => {
      const a = await jsonCall('ssm', 'AmazonSSM.GetParameter', '1.1', '{"Name":');
      expect(a.status).toBe(400);
      expect(a.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(a.headers.get('x-amzn-errortype')).toBe('SerializationException');
      // Only query-compatible services send the query error code.
      expect(a.headers.get('x-amzn-query-error')).toBeNull();
      expect(JSON.parse(a.text)).toEqual({
        __type: 'SerializationException',
        message: 'Request body is not valid JSON',
      });
    });

    it('answers JSON that is not an object, or a member of the wrong type, with a SerializationException', async () => {
      for (const body of ['[]', '"Name"', '{"Name":5}']) {
        const a = await jsonCall('ssm', 'AmazonSSM.GetParameter', '1.1', body);
        expect(a.status, body).toBe(400);
        expect(JSON.parse(a.text).__type, body).toBe('SerializationException');
      }
    });

    it('answers an unknown, missing or foreign X-Amz-Target with UnknownOperationException', async () => {
      const unknown = await jsonCall('ssm', 'AmazonSSM.LaunchRockets', '1.1', '{}');
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
      expect(JSON.parse(unknown.text).message).toBe('Unknown operation: LaunchRockets');

      const missing = await send('/', {
        method: 'POST',
        headers: { authorization: signedFor('ssm'), 'content-type': 'application/x-amz-json-1.1' },
        body: '{}',
      });
      expect(missing.status).toBe(400);
      expect(JSON.parse(missing.text).__type).toBe('UnknownOperationException');

      // Another service's target prefix, signed for SSM: SSM does not know it.
      const foreign = await jsonCall('ssm', 'DynamoDB_20120810.ListTables', '1.1', '{}');
      expect(foreign.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    });

    it('answers GetParameter without Name, sent by the SDK, with a ValidationException naming the member', async () => {
      const ssm = new SSMClient(config);
      const err = await ssm.send(new GetParameterCommand({} as never)).catch((e: unknown) => e);
      expect(err).toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
        message:
          "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      });
    });
  });

  describe('awsJson1_0, query-compatible (CloudWatch)', () => {
    it('sends the query error code in x-amzn-query-error for a body that is not JSON', async () => {
      const a = await jsonCall('monitoring', 'GraniteServiceVersion20100801.DescribeAlarms', '1.0', '{');
      expect(a.status).toBe(400);
      expect(a.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(a.headers.get('x-amzn-errortype')).toBe('SerializationException');
      expect(a.headers.get('x-amzn-query-error')).toBe('SerializationException;Sender');
      expect(JSON.parse(a.text).__type).toBe('SerializationException');
    });

    it('answers an unknown operation, and a gzip body that does not inflate, in the same shape', async () => {
      const unknown = await jsonCall(
        'monitoring',
        'GraniteServiceVersion20100801.LaunchRockets',
        '1.0',
        '{}',
      );
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('x-amzn-query-error')).toBe('UnknownOperationException;Sender');

      const gzip = await send('/', {
        method: 'POST',
        headers: {
          authorization: signedFor('monitoring'),
          'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData',
          'content-type': 'application/x-amz-json-1.0',
          'content-encoding': 'gzip',
        },
        body: 'this is not gzip',
      });
      expect(gzip.status).toBe(400);
      expect(gzip.headers.get('x-amzn-query-error')).toBe('SerializationException;Sender');
    });

    it('lets the SDK pick its exception class from the query code (MissingParameter)', async () => {
      const cw = new CloudWatchClient(config);
      const err = await cw
        .send(
          new PutMetricAlarmCommand({
            AlarmName: 'no-metric',
            EvaluationPeriods: 1,
            ComparisonOperator: 'GreaterThanThreshold',
            Threshold: 1,
          }),
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        name: 'MissingRequiredParameterException',
        $metadata: { httpStatusCode: 400 },
        message: 'The parameter MetricName is required.',
      });
      // Refused, so not created.
      const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['no-metric'] }));
      expect(MetricAlarms).toEqual([]);
    });
  });

  describe('awsQuery (CloudWatch)', () => {
    const CW_XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
    function cwError(a: Answer): { Type: string; Code: string; Message: string } {
      expect(a.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
      const doc = xml.parse(a.text);
      expect(doc.ErrorResponse['@_xmlns']).toBe(CW_XMLNS);
      expect(doc.ErrorResponse.RequestId).toBe(a.headers.get('x-amzn-requestid'));
      return doc.ErrorResponse.Error;
    }

    it('answers a missing or unknown Action in <ErrorResponse>', async () => {
      const missing = await formCall('monitoring', 'Version=2010-08-01');
      expect(missing.status).toBe(400);
      expect(cwError(missing)).toMatchObject({ Type: 'Sender', Code: 'MissingAction' });
      const unknown = await formCall('monitoring', 'Action=LaunchRockets&Version=2010-08-01');
      expect(unknown.status).toBe(400);
      expect(cwError(unknown)).toMatchObject({ Code: 'InvalidAction' });
    });

    it("answers parameters of the wrong type, missing or out of the enum with CloudWatch's query errors", async () => {
      const cases: [string, string, RegExp][] = [
        ['Action=DescribeAlarms&MaxRecords=many', 'InvalidParameterValue', /many for parameter MaxRecords/],
        ['Action=DescribeAlarms&AlarmNames=one', 'InvalidParameterValue', /AlarmNames must be a list/],
        ['Action=DescribeAlarms&StateValue=RED', 'ValidationError', /at 'stateValue' failed to satisfy/],
        ['Action=SetAlarmState&AlarmName=x&StateReason=r', 'MissingParameter', /StateValue is required/],
        [
          'Action=GetMetricStatistics&Namespace=N&MetricName=M&Period=60&Statistics.member.1=Sum&StartTime=yesterday&EndTime=2026-01-05T09%3A00%3A00Z',
          'InvalidParameterValue',
          /yesterday for parameter StartTime is not a timestamp/,
        ],
        [
          'Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=M&MetricData.member.1.Value=1&MetricData.member.1.Value=NaN',
          'InvalidParameterValue',
          /MetricData\.member\.1\.Value/,
        ],
      ];
      for (const [body, code, message] of cases) {
        const a = await formCall('monitoring', `${body}&Version=2010-08-01`);
        expect(a.status, body).toBe(400);
        expect(cwError(a), body).toMatchObject({
          Type: 'Sender',
          Code: code,
          Message: expect.stringMatching(message),
        });
      }
    });

    it('reads .member.N lists and answers lists as <member> and maps as <entry>, with no Result for an empty output', async () => {
      const put = await formCall(
        'monitoring',
        [
          'Action=PutMetricData&Version=2010-08-01&Namespace=Query%2FTest',
          'MetricData.member.1.MetricName=Latency',
          'MetricData.member.1.Dimensions.member.1.Name=Service&MetricData.member.1.Dimensions.member.1.Value=q',
          'MetricData.member.1.Values.member.1=10&MetricData.member.1.Values.member.2=20',
          'MetricData.member.1.Counts.member.1=1&MetricData.member.1.Counts.member.2=3',
          'MetricData.member.1.Timestamp=2026-01-05T08%3A59%3A10Z',
        ].join('&'),
      );
      expect(put.status, put.text).toBe(200);
      const putDoc = xml.parse(put.text);
      expect(putDoc.PutMetricDataResponse).toEqual({
        '@_xmlns': CW_XMLNS,
        ResponseMetadata: { RequestId: put.headers.get('x-amzn-requestid') },
      });

      const stats = await formCall(
        'monitoring',
        [
          'Action=GetMetricStatistics&Version=2010-08-01&Namespace=Query%2FTest&MetricName=Latency',
          'Dimensions.member.1.Name=Service&Dimensions.member.1.Value=q&Period=60',
          'StartTime=2026-01-05T08%3A59%3A00Z&EndTime=2026-01-05T09%3A00%3A00Z',
          'ExtendedStatistics.member.1=p50&ExtendedStatistics.member.2=p99',
        ].join('&'),
      );
      expect(stats.status, stats.text).toBe(200);
      const result = xml.parse(stats.text).GetMetricStatisticsResponse.GetMetricStatisticsResult;
      expect(result).toEqual({
        Label: 'Latency',
        Datapoints: {
          member: {
            Timestamp: '2026-01-05T08:59:00.000Z',
            Unit: 'None',
            ExtendedStatistics: {
              entry: [
                { key: 'p50', value: '20' },
                { key: 'p99', value: '20' },
              ],
            },
          },
        },
      });

      // What the query protocol put, the JSON protocol reads: one CloudWatch behind both.
      const alarm = await formCall(
        'monitoring',
        'Action=PutMetricAlarm&Version=2010-08-01&AlarmName=query-made&Namespace=Query%2FTest&MetricName=Latency&Statistic=Maximum&Period=60&EvaluationPeriods=1&Threshold=15&ComparisonOperator=GreaterThanThreshold&ActionsEnabled=false&AlarmActions=',
      );
      expect(alarm.status, alarm.text).toBe(200);
      const { MetricAlarms } = await new CloudWatchClient(config).send(
        new DescribeAlarmsCommand({ AlarmNames: ['query-made'] }),
      );
      expect(MetricAlarms?.[0]).toMatchObject({ Threshold: 15, ActionsEnabled: false, AlarmActions: [] });
    });
  });

  describe('awsJson1_0 (Step Functions, DynamoDB)', () => {
    it('answers Step Functions requests that are not JSON, or name no execution, in its own shape', async () => {
      const a = await jsonCall('states', 'AWSStepFunctions.StartExecution', '1.0', '{');
      expect(a.status).toBe(400);
      expect(a.headers.get('x-amzn-errortype')).toBe('SerializationException');
      expect(a.headers.get('x-amzn-query-error')).toBeNull();

      const sfn = new SFNClient(config);
      const err = await sfn.send(new DescribeExecutionCommand({} as never)).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidArn', $metadata: { httpStatusCode: 400 } });
    });

    it("hands DynamoDB's malformed requests to dynalite, which answers as DynamoDB does", async () => {
      const a = await jsonCall('dynamodb', 'DynamoDB_20120810.ListTables', '1.0', '{');
      expect(a.status).toBe(400);
      expect(JSON.parse(a.text).__type).toBe('com.amazon.coral.service#SerializationException');
    });
  });

  describe('restJson1 (FIS)', () => {
    const fis = (path: string, init: RequestInit = {}) =>
      send(path, { ...init, headers: { authorization: signedFor('fis'), ...init.headers } });

    it('answers a path or method that names no operation with a 404 and x-amzn-errortype', async () => {
      for (const [method, path] of [
        ['GET', '/nothing'],
        ['PUT', '/experimentTemplates'],
      ] as const) {
        const a = await fis(path, { method });
        expect(a.status, `${method} ${path}`).toBe(404);
        expect(a.headers.get('content-type')).toBe('application/json');
        expect(a.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
        // restJson1 carries the code in the header; the body has the message only.
        expect(JSON.parse(a.text)).toEqual({ message: `No operation for ${method} ${path}` });
      }
    });

    it('answers a body that is not JSON, and a path that is not valid percent-encoding, with a ValidationException', async () => {
      const body = await fis('/experimentTemplates', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"description":',
      });
      expect(body.status).toBe(400);
      expect(body.headers.get('x-amzn-errortype')).toBe('ValidationException');

      // A client's mistake, not an internal failure an SDK would retry.
      const path = await fis('/experiments/%E0%A4%A');
      expect(path.status).toBe(400);
      expect(path.headers.get('x-amzn-errortype')).toBe('ValidationException');
    });

    it('answers a template with its required members missing, sent by the SDK, with a ValidationException', async () => {
      const client = new FisClient(config);
      const err = await client
        .send(new CreateExperimentTemplateCommand({} as never))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    });
  });

  describe('restXml (Route 53, S3)', () => {
    const route53 = (path: string, init: RequestInit = {}) =>
      send(`/2013-04-01${path}`, {
        ...init,
        headers: { authorization: signedFor('route53'), ...init.headers },
      });

    function route53Error(a: Answer): { Type: string; Code: string; Message: string } {
      const doc = xml.parse(a.text);
      expect(doc.ErrorResponse['@_xmlns']).toBe('https://route53.amazonaws.com/doc/2013-04-01/');
      expect(doc.ErrorResponse.RequestId).toBe(a.headers.get('x-amzn-requestid'));
      return doc.ErrorResponse.Error;
    }

    it('answers malformed XML to ChangeResourceRecordSets with an InvalidInput ErrorResponse and changes nothing', async () => {
      const r53 = new Route53Client(config);
      const zoneId = (await r53.send(new ListHostedZonesCommand({}))).HostedZones![0]!.Id!.replace(
        '/hostedzone/',
        '',
      );
      const records = async () =>
        (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets;
      const before = await records();

      const bodies = [
        '<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>',
        '<NotTheRightRoot/>',
        '',
      ];
      for (const body of bodies) {
        const a = await route53(`/hostedzone/${zoneId}/rrset`, {
          method: 'POST',
          headers: { 'content-type': 'application/xml' },
          body,
        });
        expect(a.status, body).toBe(400);
        expect(a.headers.get('content-type')).toBe('application/xml');
        expect(route53Error(a), body).toMatchObject({ Type: 'Sender', Code: 'InvalidInput' });
      }
      expect(await records()).toEqual(before);
    });

    it('answers XML with a DOCTYPE or an external entity with a 400 of the service, never a 500 an SDK retries', async () => {
      const external =
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><CallerReference>&x;</CallerReference></CreateHealthCheckRequest>';
      const bomb =
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><CreateHealthCheckRequest><CallerReference>&b;</CallerReference></CreateHealthCheckRequest>';
      const bare = '<!-- a comment --><!DOCTYPE CreateHealthCheckRequest><CreateHealthCheckRequest/>';
      for (const body of [external, bomb, bare]) {
        const a = await route53('/healthcheck', {
          method: 'POST',
          headers: { 'content-type': 'application/xml' },
          body,
        });
        expect(a.status, body).toBe(400);
        expect(route53Error(a), body).toMatchObject({
          Type: 'Sender',
          Code: 'InvalidInput',
          Message: expect.stringMatching(/document type declarations and entities are not accepted/),
        });
      }
      // A DOCTYPE written inside a value (CDATA) is text, not a declaration: that request gets past
      // the XML reading to Route 53's own checks of the health check.
      const inCdata = await route53('/healthcheck', {
        method: 'POST',
        body: '<CreateHealthCheckRequest><CallerReference><![CDATA[<!DOCTYPE x>]]></CallerReference></CreateHealthCheckRequest>',
      });
      expect(route53Error(inCdata).Message).not.toMatch(/document type/);

      const s3 = await send('/reports', {
        method: 'PUT',
        headers: { authorization: signedFor('s3') },
        body: '<!DOCTYPE c [<!ENTITY x SYSTEM "http://127.0.0.1:9/">]><CreateBucketConfiguration><LocationConstraint>&x;</LocationConstraint></CreateBucketConfiguration>',
      });
      expect(s3.status).toBe(400);
      expect(xml.parse(s3.text).Error).toMatchObject({ Code: 'MalformedXML' });
    });

    it('answers an unknown path with 404 InvalidInput and a path that is not valid percent-encoding with 400', async () => {
      const unknown = await route53('/nothing');
      expect(unknown.status).toBe(404);
      expect(route53Error(unknown)).toMatchObject({ Code: 'InvalidInput' });

      const undecodable = await route53('/hostedzone/%E0%A4%A');
      expect(undecodable.status).toBe(400);
      expect(route53Error(undecodable)).toMatchObject({ Type: 'Sender', Code: 'InvalidInput' });
    });

    it('answers an invalid record set, sent by the SDK, with its InvalidInput exception', async () => {
      const r53 = new Route53Client(config);
      const zoneId = (await r53.send(new ListHostedZonesCommand({}))).HostedZones![0]!.Id!;
      const err = await r53
        .send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: {
              Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'x.example.com', Type: 'A' } }],
            },
          }),
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidInput', $metadata: { httpStatusCode: 400 } });
    });

    it("answers S3's bad requests with a bare <Error>", async () => {
      const s3 = (path: string, init: RequestInit = {}) =>
        send(path, { ...init, headers: { authorization: signedFor('s3'), ...init.headers } });
      const cases: [Answer, number, string][] = [
        [await s3('/reports?acl'), 501, 'NotImplemented'],
        [await s3('/reports', { method: 'PUT', body: '<CreateBucketConfiguration>' }), 400, 'MalformedXML'],
        [await s3('/reports/%E0%A4%A'), 400, 'InvalidURI'],
      ];
      for (const [a, status, code] of cases) {
        expect(a.status, code).toBe(status);
        const doc = xml.parse(a.text);
        expect(doc.Error.Code).toBe(code);
        expect(doc.Error.RequestId).toBe(a.headers.get('x-amz-request-id'));
      }
    });
  });

  describe('ec2Query (EC2)', () => {
    function ec2Error(a: Answer): { Code: string; Message: string } {
      expect(a.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
      const doc = xml.parse(a.text);
      expect(doc.Response.RequestID).toBe(a.headers.get('x-amzn-requestid'));
      return doc.Response.Errors.Error;
    }

    it('answers a body with no Action, or one that is no form at all, with MissingAction in <Response><Errors>', async () => {
      for (const body of ['Version=2016-11-15', '{"Action":"DescribeInstances"}', '%%%&&==']) {
        const a = await formCall('ec2', body);
        expect(a.status, body).toBe(400);
        expect(ec2Error(a).Code, body).toBe('MissingAction');
      }
    });

    it('answers an unknown Action with InvalidAction and a filter without a Name with InvalidParameterValue', async () => {
      const unknown = await formCall('ec2', 'Action=LaunchRockets&Version=2016-11-15');
      expect(unknown.status).toBe(400);
      expect(ec2Error(unknown)).toEqual({
        Code: 'InvalidAction',
        Message: 'The action LaunchRockets is not valid for this web service.',
      });

      const filter = await formCall('ec2', 'Action=DescribeInstances&Version=2016-11-15&Filter.1.Value.1=x');
      expect(filter.status).toBe(400);
      expect(ec2Error(filter).Code).toBe('InvalidParameterValue');
    });

    it('refuses a malformed instance id, sent by the SDK, and stops none of the instances given with it', async () => {
      const ec2 = new EC2Client(config);
      const running = sb.world.instances()[0]!;
      const err = await ec2
        .send(new StopInstancesCommand({ InstanceIds: [running.id, 'not-an-id'] }))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidInstanceID.Malformed', $metadata: { httpStatusCode: 400 } });
      expect(running.state).toBe('running');
    });
  });

  describe('awsQuery (SNS)', () => {
    function snsError(a: Answer): { Type: string; Code: string; Message: string } {
      const doc = xml.parse(a.text);
      expect(doc.ErrorResponse['@_xmlns']).toBe('http://sns.amazonaws.com/doc/2010-03-31/');
      expect(doc.ErrorResponse.RequestId).toBe(a.headers.get('x-amzn-requestid'));
      return doc.ErrorResponse.Error;
    }

    it('answers a missing or unknown Action in <ErrorResponse>', async () => {
      const missing = await formCall('sns', 'Version=2010-03-31&Message=hello');
      expect(missing.status).toBe(400);
      expect(snsError(missing)).toMatchObject({ Type: 'Sender', Code: 'MissingAction' });

      const unknown = await formCall('sns', 'Action=LaunchRockets&Version=2010-03-31');
      expect(unknown.status).toBe(400);
      expect(snsError(unknown)).toMatchObject({ Type: 'Sender', Code: 'InvalidAction' });
    });

    it('answers Publish without a topic with InvalidParameter, which the SDK raises as InvalidParameterException', async () => {
      const raw = await formCall('sns', 'Action=Publish&Version=2010-03-31&Message=hello');
      expect(raw.status).toBe(400);
      expect(snsError(raw).Code).toBe('InvalidParameter');

      const err = await new SNSClient(config)
        .send(new PublishCommand({ Message: 'hello' }))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    });
  });

  describe('requests for no service the sandbox knows', () => {
    it('answers an unsigned request it cannot route, and one signed for another service, with UnknownService', async () => {
      const unsigned = await send('/', { method: 'POST', body: '{}' });
      expect(unsigned.status).toBe(400);
      expect(unsigned.headers.get('x-amzn-errortype')).toBe('UnknownService');
      expect(JSON.parse(unsigned.text).message).toMatch(/sign it with SigV4/);

      const lambda = await send('/2015-03-31/functions', { headers: { authorization: signedFor('lambda') } });
      expect(lambda.status).toBe(400);
      expect(JSON.parse(lambda.text)).toEqual({
        __type: 'UnknownService',
        message: "The sandbox does not emulate the 'lambda' service",
      });

      // An unsigned request whose X-Amz-Target prefix names no service the router knows.
      const kinesis = await send('/', {
        method: 'POST',
        headers: {
          'x-amz-target': 'Kinesis_20131202.ListStreams',
          'content-type': 'application/x-amz-json-1.1',
        },
        body: '{}',
      });
      expect(kinesis.status).toBe(400);
      expect(kinesis.headers.get('x-amzn-errortype')).toBe('UnknownService');
    });

    it('answers a body over the 64 MiB limit with 413 instead of cutting the connection', async () => {
      const a = await jsonCall(
        'ssm',
        'AmazonSSM.GetParameter',
        '1.1',
        Buffer.alloc(64 * 1024 * 1024 + 1, 32),
      );
      expect(a.status).toBe(413);
      expect(JSON.parse(a.text).__type).toBe('RequestEntityTooLarge');
    });

    it('answers a request target that is not a URL at all instead of failing', async () => {
      const port = Number(new URL(config.endpoint).port);
      const statusLine = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            `GET http://[ HTTP/1.1\r\nHost: sandbox\r\nAuthorization: ${signedFor('fis')}\r\nConnection: close\r\n\r\n`,
          );
        });
        let received = '';
        socket.on('data', (chunk) => {
          received += chunk.toString();
        });
        socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
      });
      expect(statusLine).toBe('HTTP/1.1 404 Not Found');
    });
  });

  it('still serves an ordinary SDK call to every service afterwards', async () => {
    const ssm = new SSMClient(config);
    await ssm.send(new PutParameterCommand({ Name: '/faultline/after', Value: 'ok', Type: 'String' }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/faultline/after' }))).Parameter?.Value).toBe(
      'ok',
    );

    const alarms = await new CloudWatchClient(config).send(new DescribeAlarmsCommand({}));
    expect(alarms.MetricAlarms?.map((a) => a.AlarmName)).toContain('checkout-availability-critical');

    const actions = await new FisClient(config).send(new ListActionsCommand({}));
    expect(actions.actions?.map((a) => a.id)).toContain('aws:ec2:stop-instances');

    const zones = await new Route53Client(config).send(new ListHostedZonesCommand({}));
    expect(zones.HostedZones?.map((z) => z.Name)).toEqual(['example.com.']);

    const reservations = await new EC2Client(config).send(new DescribeInstancesCommand({}));
    const instances = reservations.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => i.State?.Name)).toEqual(Array(6).fill('running'));

    const buckets = await new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({}));
    // The malformed CreateBucket above created nothing.
    expect(buckets.Buckets ?? []).toEqual([]);

    const topics = await new SNSClient(config).send(new ListTopicsCommand({}));
    expect(topics.Topics ?? []).toEqual([]);

    const machines = await new SFNClient(config).send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines).toEqual([]);

    const tables = await new DynamoDBClient(config).send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual([]);
  });
});
