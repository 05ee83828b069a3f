import { queryList, queryString } from '../../protocol/query.ts';
import { AwsError } from '../../protocol/types.ts';
import type { SnsContext } from './context.ts';
import type { Topic } from './model.ts';
import {
  invalidParameter,
  notFound,
  optional,
  type Params,
  pageOf,
  required,
  stringMap,
  tagList,
  topicNameFromArn,
} from './params.ts';

/** Topic attributes a caller may set; delivery-status logging attributes are matched by pattern. */
const SETTABLE = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'TracingConfig',
  'SignatureVersion',
  'ContentBasedDeduplication',
  'FifoThroughputScope',
  'ArchivePolicy',
  'DataProtectionPolicy',
]);
const DELIVERY_LOGGING =
  /^(HTTP|Firehose|Lambda|Application|SQS)(SuccessFeedbackRoleArn|SuccessFeedbackSampleRate|FailureFeedbackRoleArn)$/;
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'FifoThroughputScope', 'ArchivePolicy']);

const TOPICS_PER_PAGE = 100;

export function requireTopic(ctx: SnsContext, arn: string, parameter = 'TopicArn'): Topic {
  if (topicNameFromArn(arn) === undefined) throw invalidParameter(parameter);
  const topic = ctx.state.topics.get(arn);
  if (!topic) throw notFound('Topic does not exist');
  return topic;
}

function checkAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  if (name === 'FifoTopic') {
    if (!creating) throw invalidParameter('AttributeName');
    return;
  }
  if (!SETTABLE.has(name) && !DELIVERY_LOGGING.test(name)) throw invalidParameter('AttributeName');
  if (FIFO_ONLY.has(name) && !fifo) {
    throw invalidParameter(`${name} Reason: ${name} can only be set for FIFO topics`);
  }
  const bad = (reason: string) => invalidParameter(`${name} Reason: ${reason}`);
  if (['Policy', 'DeliveryPolicy', 'ArchivePolicy', 'DataProtectionPolicy'].includes(name) && value !== '') {
    try {
      JSON.parse(value);
    } catch {
      throw bad('the value is not valid JSON');
    }
  }
  if (name === 'DisplayName' && value.length > 100) throw bad('DisplayName must be at most 100 characters');
  if (name === 'TracingConfig' && !['PassThrough', 'Active'].includes(value))
    throw bad('must be PassThrough or Active');
  if (name === 'SignatureVersion' && !['1', '2'].includes(value)) throw bad('must be 1 or 2');
  if (name === 'ContentBasedDeduplication' && !['true', 'false'].includes(value))
    throw bad('must be true or false');
  if (name === 'FifoThroughputScope' && !['Topic', 'MessageGroup'].includes(value)) {
    throw bad('must be Topic or MessageGroup');
  }
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * CreateTopic is idempotent: the same name with the same attributes and tags returns the same
 * topic. Topics belong to the region the request was sent to.
 */
export function createTopic(ctx: SnsContext, params: Params, region: string): Record<string, unknown> {
  const name = required(params, 'Name');
  const attributes = stringMap(params, 'Attributes');
  const tags = tagList(params);
  const fifo = attributes.FifoTopic === 'true';
  if (!/^[\w-]{1,256}$/.test(name.replace(/\.fifo$/, '')) || name.length > 256)
    throw invalidParameter('Topic Name');
  if (fifo !== name.endsWith('.fifo')) {
    throw invalidParameter(
      'Fifo Topic names must end with .fifo and they must be created with the FifoTopic attribute set to true',
    );
  }
  if (attributes.FifoTopic !== undefined && !['true', 'false'].includes(attributes.FifoTopic)) {
    throw invalidParameter('FifoTopic');
  }
  for (const [key, value] of Object.entries(attributes)) checkAttribute(key, value, fifo, true);
  const arn = ctx.core.world.arn('sns', name, region);
  const existing = ctx.state.topics.get(arn);
  if (existing) {
    if (!sameRecord(existing.attributes, attributes)) {
      throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
    }
    if (Object.keys(tags).length > 0 && !sameRecord(existing.tags, tags)) {
      throw invalidParameter('Tags Reason: Topic already exists with different tags');
    }
    return { TopicArn: arn };
  }
  ctx.state.topics.set(arn, { arn, name, fifo, attributes, tags, sequence: 0 });
  return { TopicArn: arn };
}

/** ListTopics answers with the topics of the region the request was sent to. */
export function listTopics(ctx: SnsContext, params: Params, region: string): Record<string, unknown> {
  const inRegion = [...ctx.state.topics.values()].filter((t) => t.arn.split(':')[3] === region);
  const { page, next } = pageOf(inRegion, optional(params, 'NextToken'), TOPICS_PER_PAGE);
  return { Topics: { member: page.map((t) => ({ TopicArn: t.arn })) }, NextToken: next };
}

/** What GetTopicAttributes shows: the computed attributes SNS adds to those that were set. */
export function getTopicAttributes(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = requireTopic(ctx, required(params, 'TopicArn'));
  const account = ctx.core.world.accountId;
  const subscriptions = [...ctx.state.subscriptions.values()].filter((s) => s.topicArn === topic.arn);
  // FifoTopic is shown for FIFO topics only, whatever the creator passed.
  const { FifoTopic: _fifo, ...set } = topic.attributes;
  const attributes: Record<string, string> = {
    TopicArn: topic.arn,
    Owner: account,
    Policy: defaultPolicy(topic.arn, account),
    DisplayName: '',
    SubscriptionsConfirmed: String(subscriptions.filter((s) => s.confirmed).length),
    SubscriptionsPending: String(subscriptions.filter((s) => !s.confirmed).length),
    SubscriptionsDeleted: '0',
    EffectiveDeliveryPolicy: DEFAULT_DELIVERY_POLICY,
    ...(topic.fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : {}),
    ...set,
  };
  return { Attributes: { entry: Object.entries(attributes).map(([key, value]) => ({ key, value })) } };
}

export function setTopicAttributes(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = requireTopic(ctx, required(params, 'TopicArn'));
  const name = required(params, 'AttributeName');
  const value = optional(params, 'AttributeValue') ?? '';
  checkAttribute(name, value, topic.fifo, false);
  topic.attributes[name] = value;
  return {};
}

/** Deleting a topic that does not exist is not an error in SNS; its subscriptions go with it. */
export function deleteTopic(ctx: SnsContext, params: Params): Record<string, unknown> {
  const arn = required(params, 'TopicArn');
  if (topicNameFromArn(arn) === undefined) throw invalidParameter('TopicArn');
  ctx.state.topics.delete(arn);
  for (const s of [...ctx.state.subscriptions.values()])
    if (s.topicArn === arn) ctx.state.subscriptions.delete(s.arn);
  return {};
}

export function listTagsForResource(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = findTaggable(ctx, params);
  return { Tags: { member: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) } };
}

export function tagResource(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = findTaggable(ctx, params);
  const tags = tagList(params);
  if (Object.keys({ ...topic.tags, ...tags }).length > 50) {
    throw invalidParameter('Tags Reason: Could not complete request: tag quota of per resource exceeded');
  }
  Object.assign(topic.tags, tags);
  return {};
}

export function untagResource(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = findTaggable(ctx, params);
  const keys = stringList(params.TagKeys);
  for (const key of keys) delete topic.tags[key];
  return {};
}

function findTaggable(ctx: SnsContext, params: Params): Topic {
  const arn = required(params, 'ResourceArn');
  const topic = topicNameFromArn(arn) === undefined ? undefined : ctx.state.topics.get(arn);
  if (!topic) throw resourceNotFound();
  return topic;
}

function resourceNotFound(): AwsError {
  return new AwsError('ResourceNotFound', 'Resource does not exist', 404);
}

function stringList(value: Params[string] | undefined): string[] {
  return queryList(value).map((v) => queryString(v) ?? '');
}

function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  });
}

const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});
