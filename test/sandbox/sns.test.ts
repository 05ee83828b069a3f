import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  ResourceNotFoundException,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import type { SnsService } from '../../sandbox/services/sns.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

function snsOf(sb: Sandbox): SnsService {
  return sb.service('sns') as SnsService;
}

describe('SNS topics and subscriptions', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let sns: SNSClient;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    sns = new SNSClient(config);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('creates topics idempotently by name, with attributes and tags', async () => {
    const created = await sns.send(
      new CreateTopicCommand({
        Name: 'incidents',
        Attributes: { DisplayName: 'Incidents' },
        Tags: [{ Key: 'team', Value: 'sre' }],
      }),
    );
    expect(created.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:incidents');
    const again = await sns.send(
      new CreateTopicCommand({ Name: 'incidents', Attributes: { DisplayName: 'Incidents' } }),
    );
    expect(again.TopicArn).toBe(created.TopicArn);
    await expect(
      sns.send(new CreateTopicCommand({ Name: 'incidents', Attributes: { DisplayName: 'Other' } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new CreateTopicCommand({ Name: 'bad name!' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(sns.send(new CreateTopicCommand({ Name: 'orders.fifo' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(
      sns.send(new CreateTopicCommand({ Name: 'x', Attributes: { NoSuchAttribute: '1' } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn }));
    expect(attrs.Attributes).toMatchObject({
      TopicArn: created.TopicArn,
      Owner: '123456789012',
      DisplayName: 'Incidents',
      SubscriptionsConfirmed: '0',
      SubscriptionsPending: '0',
    });
    expect(JSON.parse(attrs.Attributes!.Policy!).Statement[0].Resource).toBe(created.TopicArn);
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: created.TopicArn,
        AttributeName: 'DisplayName',
        AttributeValue: 'Pager',
      }),
    );
    expect(
      (await sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn }))).Attributes!.DisplayName,
    ).toBe('Pager');
    await expect(
      sns.send(
        new SetTopicAttributesCommand({
          TopicArn: created.TopicArn,
          AttributeName: 'Bogus',
          AttributeValue: 'x',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:missing' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );

    const tags = await sns.send(new ListTagsForResourceCommand({ ResourceArn: created.TopicArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'sre' }]);
    await sns.send(
      new TagResourceCommand({ ResourceArn: created.TopicArn, Tags: [{ Key: 'tier', Value: '1' }] }),
    );
    await sns.send(new UntagResourceCommand({ ResourceArn: created.TopicArn, TagKeys: ['team'] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: created.TopicArn }))).Tags).toEqual([
      { Key: 'tier', Value: '1' },
    ]);
    await expect(
      sns.send(new ListTagsForResourceCommand({ ResourceArn: 'arn:aws:sns:us-east-1:123456789012:missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists topics in pages of 100', async () => {
    for (let i = 0; i < 105; i++) await sns.send(new CreateTopicCommand({ Name: `bulk-${i}` }));
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.NextToken).toBeUndefined();
    const arns = [...first.Topics!, ...second.Topics!].map((t) => t.TopicArn);
    expect(arns).toContain('arn:aws:sns:us-east-1:123456789012:bulk-104');
    expect(new Set(arns).size).toBe(arns.length);

    // Topics are regional: a topic created in us-west-2 is listed there only.
    const west = new SNSClient({ ...config, region: 'us-west-2' });
    const westTopic = await west.send(new CreateTopicCommand({ Name: 'bulk-0' }));
    expect(westTopic.TopicArn).toBe('arn:aws:sns:us-west-2:123456789012:bulk-0');
    expect((await west.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn: westTopic.TopicArn }]);
    const east = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(east.Topics!.map((t) => t.TopicArn)).not.toContain(westTopic.TopicArn);
  });

  it('records subscriptions, pending where the endpoint must confirm, and removes them', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const queue = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:123456789012:alerts-queue',
      }),
    );
    expect(queue.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:123456789012:alerts:[0-9a-f-]{36}$/);
    const same = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:123456789012:alerts-queue',
      }),
    );
    expect(same.SubscriptionArn).toBe(queue.SubscriptionArn);
    const email = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'oncall@example.com' }),
    );
    expect(email.SubscriptionArn).toBe('pending confirmation');
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions).toEqual([
      {
        SubscriptionArn: queue.SubscriptionArn,
        Owner: '123456789012',
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:123456789012:alerts-queue',
        TopicArn,
      },
      {
        SubscriptionArn: 'PendingConfirmation',
        Owner: '123456789012',
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        TopicArn,
      },
    ]);
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions).toHaveLength(2);
    const attrs = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: queue.SubscriptionArn }),
    );
    expect(attrs.Attributes).toMatchObject({ Protocol: 'sqs', PendingConfirmation: 'false', TopicArn });
    const topicAttrs = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(topicAttrs.Attributes).toMatchObject({ SubscriptionsConfirmed: '1', SubscriptionsPending: '1' });

    await expect(
      sns.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(new SubscribeCommand({ TopicArn, Protocol: 'https', Endpoint: 'http://hooks.example.com' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(
        new SubscribeCommand({
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:missing',
          Protocol: 'sqs',
          Endpoint: 'arn:aws:sqs:us-east-1:123456789012:q',
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: queue.SubscriptionArn }));
    await expect(
      sns.send(new UnsubscribeCommand({ SubscriptionArn: queue.SubscriptionArn })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);

    // Deleting a topic takes its subscriptions with it, and deleting it again is not an error.
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    await expect(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? []).toHaveLength(0);
  });
});

describe('SNS Publish', () => {
  let dir: string;
  let sb: Sandbox;
  let config: ClientConfig;
  let sns: SNSClient;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-sns-'));
    ({ sb, config } = await startSandbox({ stateDir: dir }));
    sns = new SNSClient(config);
  });
  afterAll(async () => {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a published message, puts it on the bus and appends it to the topic journal', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'game-day' }));
    await sb.clock.advance(90_000);
    const out = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Game day finished',
        Message: 'az-outage: recovered in 4 minutes',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'info' },
          minutes: { DataType: 'Number', StringValue: '4' },
        },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const expected = {
      messageId: out.MessageId,
      topicArn: TopicArn,
      subject: 'Game day finished',
      message: 'az-outage: recovered in 4 minutes',
      messageAttributes: {
        severity: { DataType: 'String', StringValue: 'info' },
        minutes: { DataType: 'Number', StringValue: '4' },
      },
      timestamp: '2026-01-05T09:01:30.000Z',
    };
    expect(snsOf(sb).messages(TopicArn)).toEqual([expected]);
    const event = sb.core.bus.all().find((e) => e['detail-type'] === 'SNS Message Published');
    expect(event).toMatchObject({ source: 'faultline.sandbox', resources: [TopicArn], detail: expected });
    const lines = (await readFile(join(dir, 'sns', 'game-day.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expected]);

    await sns.send(new PublishCommand({ TargetArn: TopicArn, Message: 'second' }));
    expect(
      snsOf(sb)
        .messages(TopicArn)
        .map((m) => m.message),
    ).toEqual(['az-outage: recovered in 4 minutes', 'second']);
    expect((await readFile(join(dir, 'sns', 'game-day.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('refuses bad messages and changes nothing', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'strict' }));
    const before = snsOf(sb).messages().length;
    await expect(sns.send(new PublishCommand({ TopicArn, Message: '' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(sns.send(new PublishCommand({ Message: 'nowhere' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:missing', Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'line\nbreak' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: '{"email":"x"}', MessageStructure: 'json' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262_145) })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'four' } },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: 'x',
          MessageAttributes: { n: { DataType: 'Date', StringValue: '1' } },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'd1' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    expect(snsOf(sb).messages()).toHaveLength(before);
    const ok = await sns.send(
      new PublishCommand({ TopicArn, Message: '{"default":"hi","email":"hello"}', MessageStructure: 'json' }),
    );
    expect(ok.MessageId).toBeDefined();
  });

  it('sequences and deduplicates messages on a FIFO topic within five minutes', async () => {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({
        Name: 'steps.fifo',
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'a' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    const first = await sns.send(new PublishCommand({ TopicArn, Message: 'a', MessageGroupId: 'run-1' }));
    const second = await sns.send(new PublishCommand({ TopicArn, Message: 'b', MessageGroupId: 'run-1' }));
    expect(BigInt(second.SequenceNumber!)).toBeGreaterThan(BigInt(first.SequenceNumber!));
    const duplicate = await sns.send(new PublishCommand({ TopicArn, Message: 'a', MessageGroupId: 'run-1' }));
    expect(duplicate).toMatchObject({ MessageId: first.MessageId, SequenceNumber: first.SequenceNumber });
    expect(
      snsOf(sb)
        .messages(TopicArn)
        .map((m) => m.message),
    ).toEqual(['a', 'b']);
    await sb.clock.advance(5 * 60_000);
    const later = await sns.send(new PublishCommand({ TopicArn, Message: 'a', MessageGroupId: 'run-1' }));
    expect(later.MessageId).not.toBe(first.MessageId);
    expect(snsOf(sb).messages(TopicArn)).toHaveLength(3);
    expect(snsOf(sb).messages(TopicArn)[0]).toMatchObject({
      messageGroupId: 'run-1',
      sequenceNumber: first.SequenceNumber,
    });
    const journal = (await readFile(join(dir, 'sns', 'steps.fifo.jsonl'), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(3);

    const explicit = await sns.send(
      new CreateTopicCommand({ Name: 'explicit.fifo', Attributes: { FifoTopic: 'true' } }),
    );
    await expect(
      sns.send(new PublishCommand({ TopicArn: explicit.TopicArn, Message: 'a', MessageGroupId: 'g' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await sns.send(
      new PublishCommand({
        TopicArn: explicit.TopicArn,
        Message: 'a',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    await expect(
      sns.send(
        new SubscribeCommand({ TopicArn: explicit.TopicArn, Protocol: 'email', Endpoint: 'a@example.com' }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('keeps topics and subscriptions between runs', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kept' }));
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'lambda',
        Endpoint: 'arn:aws:lambda:us-east-1:123456789012:function:pager',
      }),
    );
    const idsBefore = snsOf(sb)
      .messages()
      .map((m) => m.messageId);
    await sb.close();
    ({ sb, config } = await startSandbox({ stateDir: dir }));
    sns = new SNSClient(config);
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions!.map((s) => s.SubscriptionArn)).toEqual([sub.SubscriptionArn]);
    const next = await sns.send(new PublishCommand({ TopicArn, Message: 'after restart' }));
    expect(idsBefore.length).toBeGreaterThan(0);
    expect(idsBefore).not.toContain(next.MessageId);
    expect(
      snsOf(sb)
        .messages(TopicArn)
        .map((m) => m.message),
    ).toEqual(['after restart']);
  });
});
