import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEventRules, eventBridgeRules } from '../../sandbox/deploy/event-rules.ts';
import type { ResolvedService } from '../../sandbox/deploy/resolve.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { EventsService } from '../../sandbox/services/events.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

const ACCOUNT = '123456789012';
const DLQ = `arn:aws:sqs:us-east-1:${ACCOUNT}:faultline-dlq`;

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('EventBridge in the sandbox', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let eb: EventBridgeClient;
  let cw: CloudWatchClient;
  let sfn: SFNClient;
  let events: EventsService;
  let passMachine: string;
  const received: Record<string, unknown[]> = {};

  const lambda = (name: string, fail = false) => {
    received[name] = [];
    return sb.lambdas.register(name, async (event) => {
      received[name]!.push(event);
      if (fail) throw Object.assign(new Error('boom'), { name: 'RemediationFailed' });
      return {};
    });
  };
  const rule = async (
    name: string,
    pattern: Record<string, unknown>,
    targets: Target[],
    state?: 'DISABLED',
  ) => {
    await eb.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), State: state }));
    const out = await eb.send(new PutTargetsCommand({ Rule: name, Targets: targets }));
    expect(out.FailedEntryCount).toBe(0);
  };
  const put = (source: string, detail: Record<string, unknown>, detailType = 'Test Event') =>
    eb.send(
      new PutEventsCommand({
        Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
      }),
    );

  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    eb = new EventBridgeClient(config);
    cw = new CloudWatchClient(config);
    sfn = new SFNClient(config);
    events = sb.service('events') as EventsService;
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'remediation',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn`,
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
      }),
    );
    passMachine = created.stateMachineArn!;
  });
  afterAll(async () => {
    for (const c of [eb, cw, sfn]) c.destroy();
    await sb.close();
  });

  describe('the API', () => {
    it('puts, describes, lists, disables, enables and deletes rules', async () => {
      const out = await eb.send(
        new PutRuleCommand({ Name: 'api-a', EventPattern: '{"source":["x"]}', Description: 'first' }),
      );
      expect(out.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/api-a`);
      await eb.send(new PutRuleCommand({ Name: 'api-b', EventPattern: '{"source":["y"]}' }));
      await eb.send(new PutRuleCommand({ Name: 'api-c', EventPattern: '{"source":["z"]}' }));
      const a = await eb.send(new DescribeRuleCommand({ Name: 'api-a' }));
      expect(a).toMatchObject({
        Name: 'api-a',
        State: 'ENABLED',
        EventPattern: '{"source":["x"]}',
        Description: 'first',
      });

      const first = await eb.send(new ListRulesCommand({ NamePrefix: 'api-', Limit: 2 }));
      expect(first.Rules!.map((r) => r.Name)).toEqual(['api-a', 'api-b']);
      const second = await eb.send(
        new ListRulesCommand({ NamePrefix: 'api-', Limit: 2, NextToken: first.NextToken }),
      );
      expect(second.Rules!.map((r) => r.Name)).toEqual(['api-c']);
      expect(second.NextToken).toBeUndefined();

      await eb.send(new DisableRuleCommand({ Name: 'api-b' }));
      expect((await eb.send(new DescribeRuleCommand({ Name: 'api-b' }))).State).toBe('DISABLED');
      await eb.send(new EnableRuleCommand({ Name: 'api-b' }));
      expect((await eb.send(new DescribeRuleCommand({ Name: 'api-b' }))).State).toBe('ENABLED');

      await eb.send(new DeleteRuleCommand({ Name: 'api-c' }));
      expect((await failure(eb.send(new DescribeRuleCommand({ Name: 'api-c' })))).name).toBe(
        'ResourceNotFoundException',
      );
    });

    it('refuses an invalid pattern, naming the problem, and changes nothing', async () => {
      const err = await failure(
        eb.send(
          new PutRuleCommand({ Name: 'api-a', EventPattern: '{"detail":{"state":{"value":"ALARM"}}}' }),
        ),
      );
      expect(err.name).toBe('InvalidEventPatternException');
      expect(err.message).toMatch(/"detail.state.value" must be an object or an array/);
      expect((await eb.send(new DescribeRuleCommand({ Name: 'api-a' }))).EventPattern).toBe(
        '{"source":["x"]}',
      );
      expect((await failure(eb.send(new PutRuleCommand({ Name: 'no-pattern' })))).name).toBe(
        'ValidationException',
      );
    });

    it('puts, lists and removes targets; a rule with targets cannot be deleted', async () => {
      const out = await eb.send(
        new PutTargetsCommand({
          Rule: 'api-a',
          Targets: [
            { Id: 't1', Arn: passMachine, Input: '{"a":1}' },
            { Id: 't2', Arn: 'arn:aws:sqs:us-east-1:123456789012:q' },
            { Id: 't3', Arn: passMachine, Input: '{"a":1}', InputPath: '$.detail' },
          ],
        }),
      );
      expect(out.FailedEntryCount).toBe(2);
      expect(out.FailedEntries!.map((f) => f.TargetId)).toEqual(['t2', 't3']);
      expect(out.FailedEntries![1]!.ErrorMessage).toMatch(
        /only one of Input, InputPath and InputTransformer/,
      );
      const listed = await eb.send(new ListTargetsByRuleCommand({ Rule: 'api-a' }));
      expect(listed.Targets).toEqual([{ Id: 't1', Arn: passMachine, Input: '{"a":1}' }]);
      expect((await failure(eb.send(new DeleteRuleCommand({ Name: 'api-a' })))).message).toMatch(
        /has targets/,
      );
      await eb.send(new RemoveTargetsCommand({ Rule: 'api-a', Ids: ['t1'] }));
      await eb.send(new DeleteRuleCommand({ Name: 'api-a' }));
      expect(
        (
          await failure(
            eb.send(new PutTargetsCommand({ Rule: 'api-a', Targets: [{ Id: 'x', Arn: passMachine }] })),
          )
        ).name,
      ).toBe('ResourceNotFoundException');
    });

    it('has the default event bus, by name, by ARN and in ListEventBuses, and no other', async () => {
      const arn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
      const { EventBuses, NextToken } = await eb.send(new ListEventBusesCommand({}));
      expect(NextToken).toBeUndefined();
      expect(EventBuses).toEqual([
        { Name: 'default', Arn: arn, CreationTime: expect.any(Date), LastModifiedTime: expect.any(Date) },
      ]);
      expect(
        (await eb.send(new ListEventBusesCommand({ NamePrefix: 'def', Limit: 1 }))).EventBuses,
      ).toHaveLength(1);
      expect((await eb.send(new ListEventBusesCommand({ NamePrefix: 'orders' }))).EventBuses).toEqual([]);
      for (const Name of [undefined, 'default', arn]) {
        expect(await eb.send(new DescribeEventBusCommand({ Name }))).toMatchObject({
          Name: 'default',
          Arn: arn,
        });
      }
      const missing = await failure(eb.send(new DescribeEventBusCommand({ Name: 'orders' })));
      expect(missing).toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Event bus orders does not exist.',
      });
      const badLimit = await failure(eb.send(new ListEventBusesCommand({ Limit: 0 })));
      expect(badLimit.name).toBe('ValidationException');
    });

    it("tests an event against a pattern with the rules' own matching, and refuses a bad pattern or event", async () => {
      const event = JSON.stringify({
        id: '1',
        account: ACCOUNT,
        source: 'aws.cloudwatch',
        time: '2026-01-05T09:00:00Z',
        region: 'us-east-1',
        resources: [],
        'detail-type': 'CloudWatch Alarm State Change',
        detail: { state: { value: 'ALARM' } },
      });
      const test = (EventPattern: string, Event = event) =>
        eb.send(new TestEventPatternCommand({ EventPattern, Event }));
      expect(
        (await test('{"source":["aws.cloudwatch"],"detail":{"state":{"value":["ALARM"]}}}')).Result,
      ).toBe(true);
      expect((await test('{"detail":{"state":{"value":[{"anything-but":"ALARM"}]}}}')).Result).toBe(false);
      const badPattern = await failure(test('{"source":"aws.cloudwatch"}'));
      expect(badPattern.name).toBe('InvalidEventPatternException');
      const badEvent = await failure(test('{"source":["x"]}', '{"source":"x"}'));
      expect(badEvent).toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(/must have id, account/),
      });
    });

    it('PutEvents returns an id per entry and an error per bad entry', async () => {
      const out = await eb.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'app', DetailType: 'ok', Detail: '{"a":1}' },
            { Source: 'app', Detail: '{}' },
            { Source: 'app', DetailType: 'bad', Detail: '{not json' },
            { Source: 'app', DetailType: 'array', Detail: '[1]' },
          ],
        }),
      );
      expect(out.FailedEntryCount).toBe(3);
      expect(out.Entries![0]!.EventId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(out.Entries!.slice(1).map((e) => e.ErrorCode)).toEqual([
        'InvalidArgument',
        'MalformedDetail',
        'MalformedDetail',
      ]);
      expect(out.Entries![1]!.ErrorMessage).toMatch(/DetailType is a required argument/);
      const tooMany = Array.from({ length: 11 }, () => ({ Source: 'a', DetailType: 'b', Detail: '{}' }));
      expect((await failure(eb.send(new PutEventsCommand({ Entries: tooMany })))).name).toBe(
        'ValidationException',
      );
    });
  });

  describe('delivery', () => {
    it('delivers a CloudWatch alarm state change to a Lambda function and to a state machine', async () => {
      const fn = lambda('on-alarm');
      const pattern = {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [{ prefix: 'eb-' }], state: { value: ['ALARM'] } },
      };
      await rule('alarm-to-lambda', pattern, [{ Id: 'fn', Arn: fn }]);
      await rule('alarm-to-sfn', pattern, [{ Id: 'sm', Arn: passMachine, InputPath: '$.detail' }]);
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'eb-latency',
          Namespace: 'Test/Eb',
          MetricName: 'Latency',
          Statistic: 'Average',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 100,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      await sb.clock.advance(1000);
      const before = received['on-alarm']!.length;
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: 'eb-latency', StateValue: 'ALARM', StateReason: 'test' }),
      );
      await sb.clock.advance(1000);

      const delivered = received['on-alarm']!.slice(before) as {
        source: string;
        detail: { alarmName: string; state: { value: string } };
      }[];
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({
        source: 'aws.cloudwatch',
        detail: { alarmName: 'eb-latency', state: { value: 'ALARM' } },
      });

      const execs = await sfn.send(new ListExecutionsCommand({ stateMachineArn: passMachine }));
      expect(execs.executions).toHaveLength(1);
      const exec = await sfn.send(
        new DescribeExecutionCommand({ executionArn: execs.executions![0]!.executionArn }),
      );
      expect(JSON.parse(exec.input!)).toMatchObject({ alarmName: 'eb-latency', state: { value: 'ALARM' } });
      await eb.send(new DisableRuleCommand({ Name: 'alarm-to-sfn' }));
    });

    it('a disabled rule delivers nothing, and delivers again once enabled', async () => {
      const fn = lambda('disabled-target');
      await rule('disabled', { source: ['app.disabled'] }, [{ Id: 'fn', Arn: fn }], 'DISABLED');
      await put('app.disabled', { n: 1 });
      await sb.clock.advance(60_000);
      expect(received['disabled-target']).toHaveLength(0);
      await eb.send(new EnableRuleCommand({ Name: 'disabled' }));
      await put('app.disabled', { n: 2 });
      await sb.clock.advance(0);
      expect(received['disabled-target']).toMatchObject([{ detail: { n: 2 } }]);
    });

    it('fills an input transformer template from the event', async () => {
      const fn = lambda('transformed');
      await rule('transform', { source: ['app.transform'] }, [
        {
          Id: 'fn',
          Arn: fn,
          InputTransformer: {
            InputPathsMap: { who: '$.detail.who', n: '$.detail.n' },
            InputTemplate: '{"message": "<who> sent <n>", "n": <n>, "rule": "<aws.events.rule-name>"}',
          },
        },
      ]);
      await put('app.transform', { who: 'tester', n: 7 });
      await sb.clock.advance(0);
      expect(received.transformed).toEqual([{ message: 'tester sent 7', n: 7, rule: 'transform' }]);
    });

    it('retries a throttled target with back-off on the virtual clock, then delivers', async () => {
      await rule('retried', { source: ['app.retried'] }, [
        { Id: 'sm', Arn: passMachine, Input: '{"retried":true}' },
      ]);
      events.throttleTarget(passMachine, 2);
      const t0 = sb.clock.now();
      await put('app.retried', {});
      await sb.clock.advance(10_000);
      const attempts = events.deliveries().filter((d) => d.ruleName === 'retried');
      expect(attempts.map((a) => [a.attempt, a.at - t0, a.errorCode])).toEqual([
        [0, 0, 'THROTTLING'],
        [1, 1000, 'THROTTLING'],
        [2, 3000, undefined],
      ]);
      await eb.send(new DisableRuleCommand({ Name: 'retried' }));
    });

    it('sends an event whose retries run out to the dead-letter list, with the reason', async () => {
      await rule('exhausted', { source: ['app.exhausted'] }, [
        {
          Id: 'sm',
          Arn: passMachine,
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: DLQ },
        },
      ]);
      await rule('too-old', { source: ['app.too-old'] }, [
        {
          Id: 'sm',
          Arn: passMachine,
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: DLQ },
        },
      ]);
      events.throttleTarget(passMachine, 100);
      await put('app.exhausted', { n: 1 });
      await put('app.too-old', { n: 2 });
      await sb.clock.advance(10 * 60_000);
      events.throttleTarget(passMachine, 0);

      const [exhausted] = events.deadLetters({ ruleName: 'exhausted' });
      expect(exhausted).toMatchObject({
        queueArn: DLQ,
        attributes: {
          ERROR_CODE: 'THROTTLING',
          EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
          RETRY_ATTEMPTS: 2,
        },
      });
      expect(JSON.parse(exhausted!.body)).toMatchObject({ source: 'app.exhausted', detail: { n: 1 } });
      const [old] = events.deadLetters({ ruleName: 'too-old' });
      // 1 + 2 + 4 + 8 + 16 s of back-off; the next (32 s) would pass 60 s.
      expect(old!.attributes).toMatchObject({
        EXHAUSTED_RETRY_CONDITION: 'MaximumEventAgeInSeconds',
        RETRY_ATTEMPTS: 5,
      });
      expect(events.deadLetters({ queueArn: DLQ })).toHaveLength(2);
      for (const name of ['exhausted', 'too-old']) await eb.send(new DisableRuleCommand({ Name: name }));
    });

    it('does not retry a target that does not exist', async () => {
      const gone = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:gone`;
      await rule('missing-target', { source: ['app.missing'] }, [
        { Id: 'sm', Arn: gone, DeadLetterConfig: { Arn: DLQ } },
      ]);
      await put('app.missing', {});
      await sb.clock.advance(60_000);
      expect(events.deliveries().filter((d) => d.ruleName === 'missing-target')).toHaveLength(1);
      expect(events.deadLetters({ ruleName: 'missing-target' })[0]!.attributes).toMatchObject({
        ERROR_CODE: 'RESOURCE_NOT_FOUND',
        RETRY_ATTEMPTS: 0,
      });
      expect(
        events.deadLetters({ ruleName: 'missing-target' })[0]!.attributes.EXHAUSTED_RETRY_CONDITION,
      ).toBeUndefined();
    });

    it('a failing Lambda function is retried by Lambda (async invocation), not by EventBridge', async () => {
      const fn = lambda('always-fails', true);
      await rule('failing-fn', { source: ['app.failing'] }, [
        { Id: 'fn', Arn: fn, DeadLetterConfig: { Arn: DLQ } },
      ]);
      await put('app.failing', {});
      await sb.clock.advance(0);
      expect(received['always-fails']).toHaveLength(1);
      await sb.clock.advance(60_000);
      expect(received['always-fails']).toHaveLength(2);
      await sb.clock.advance(120_000);
      expect(received['always-fails']).toHaveLength(3);
      await sb.clock.advance(600_000);
      expect(received['always-fails']).toHaveLength(3);
      expect(
        events
          .deliveries()
          .filter((d) => d.ruleName === 'failing-fn')
          .map((d) => d.errorCode),
      ).toEqual([undefined]);
      expect(events.deadLetters({ ruleName: 'failing-fn' })).toHaveLength(0);
      expect(events.lambdaFailures()).toMatchObject([
        { functionArn: fn, errorType: 'RemediationFailed', attempts: 3 },
      ]);
    });
  });

  describe('rules from serverless.yml', () => {
    const service = (event: Record<string, unknown>): ResolvedService => ({
      service: 'faultline',
      provider: { stage: 'dev', region: 'us-east-1' },
      functions: {},
      stepFunctions: {
        stateMachines: {
          remediation: {
            name: 'faultline-dev-remediation',
            definition: {},
            events: [{ eventBridge: event }],
          },
        },
      },
    });

    it('deploys an eventBridge event as the rule and target the plugin compiles', async () => {
      const rules = eventBridgeRules(
        service({
          event: { source: ['app.deployed'], detail: { state: { value: ['ALARM'] } } },
          inputTransformer: {
            inputPathsMap: { alarm: '$.detail.alarmName' },
            inputTemplate: '{"alarm": <alarm>}',
          },
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 600 },
          deadLetterConfig: DLQ,
        }),
      );
      const [arn] = await deployEventRules(
        sb,
        rules,
        { remediation: passMachine },
        { region: 'us-east-1', accountId: ACCOUNT, resources: {} },
      );
      const name = 'faultline-dev-RemediationEventsRuleCloudWatchEvent1';
      expect(arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/${name}`);
      const targets = await eb.send(new ListTargetsByRuleCommand({ Rule: name }));
      expect(targets.Targets).toMatchObject([
        {
          Id: 'remediationCloudWatchEvent',
          Arn: passMachine,
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: DLQ },
        },
      ]);

      const before = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: passMachine }))).executions!
        .length;
      await put('app.deployed', { alarmName: 'checkout-5xx', state: { value: 'ALARM' } });
      await sb.clock.advance(0);
      const execs = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: passMachine }))).executions!;
      expect(execs).toHaveLength(before + 1);
      const exec = await sfn.send(new DescribeExecutionCommand({ executionArn: execs[0]!.executionArn }));
      expect(JSON.parse(exec.input!)).toEqual({ alarm: 'checkout-5xx' });
    });

    it('refuses a bad pattern, naming the event, before deploying anything', () => {
      expect(() => eventBridgeRules(service({ event: { source: 'aws.cloudwatch' } }))).toThrow(
        /stepFunctions\.stateMachines\.remediation\.events\[0\]\.eventBridge\.event: .*"source" must be an object or an array/,
      );
      expect(() => eventBridgeRules(service({ input: {} }))).toThrow(/events\[0\]\.eventBridge\.event/);
    });
  });
});
