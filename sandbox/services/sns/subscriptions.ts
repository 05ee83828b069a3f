import type { SnsContext } from './context.ts';
import { sequencedUuid } from './ids.ts';
import type { Subscription, Topic } from './model.ts';
import { invalidParameter, notFound, optional, type Params, pageOf, required, stringMap } from './params.ts';
import { requireTopic } from './topics.ts';

const SUBSCRIPTIONS_PER_PAGE = 100;

/** Protocols SNS delivers to, and how each names its endpoint. Nothing leaves the sandbox. */
const ENDPOINTS: Record<string, { valid: (endpoint: string) => boolean; problem: string }> = {
  http: { valid: (e) => /^http:\/\/\S+$/.test(e), problem: 'Endpoint must match the specified protocol' },
  https: { valid: (e) => /^https:\/\/\S+$/.test(e), problem: 'Endpoint must match the specified protocol' },
  email: { valid: (e) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), problem: 'Email address' },
  'email-json': { valid: (e) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), problem: 'Email address' },
  sms: { valid: (e) => /^\+?[1-9]\d{6,14}$/.test(e), problem: 'Invalid SMS endpoint' },
  sqs: {
    valid: (e) => /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/.test(e),
    problem: 'SQS endpoint ARN',
  },
  lambda: {
    valid: (e) => /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(e),
    problem: 'Lambda endpoint ARN',
  },
  firehose: {
    valid: (e) => /^arn:aws[\w-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[\w.-]+$/.test(e),
    problem: 'Firehose endpoint ARN',
  },
  application: {
    valid: (e) => /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/\S+$/.test(e),
    problem: 'Application endpoint ARN',
  },
};

/** Protocols whose endpoint must confirm the subscription before SNS delivers to it. */
const NEEDS_CONFIRMATION = new Set(['http', 'https', 'email', 'email-json']);

const SUBSCRIPTION_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

function checkAttributes(protocol: string, attributes: Record<string, string>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter('AttributeName');
    if (['DeliveryPolicy', 'FilterPolicy', 'RedrivePolicy', 'ReplayPolicy'].includes(name)) {
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter(`${name}: failed to parse JSON`);
      }
    }
    if (name === 'FilterPolicyScope' && !['MessageAttributes', 'MessageBody'].includes(value)) {
      throw invalidParameter('FilterPolicyScope: must be MessageAttributes or MessageBody');
    }
    if (name === 'RawMessageDelivery' && !['true', 'false'].includes(value)) {
      throw invalidParameter('RawMessageDelivery: must be true or false');
    }
  }
  if (protocol === 'firehose' && !attributes.SubscriptionRoleArn) {
    throw invalidParameter('Attributes Reason: SubscriptionRoleArn is required for the firehose protocol');
  }
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * Subscribe records the subscription (SNS's idempotency: the same protocol and endpoint give the
 * same subscription). Endpoints that must confirm stay pending, since the sandbox sends nothing.
 */
export function subscribe(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = requireTopic(ctx, required(params, 'TopicArn'));
  const protocol = required(params, 'Protocol').toLowerCase();
  const rule = ENDPOINTS[protocol];
  if (!rule) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  const endpoint = optional(params, 'Endpoint') ?? '';
  if (!rule.valid(endpoint)) throw invalidParameter(rule.problem);
  if (topic.fifo && !['sqs', 'firehose'].includes(protocol)) {
    throw invalidParameter(`Invalid protocol type: ${protocol}`);
  }
  const attributes = stringMap(params, 'Attributes');
  checkAttributes(protocol, attributes);
  const returnArn = optional(params, 'ReturnSubscriptionArn') === 'true';
  const existing = [...ctx.state.subscriptions.values()].find(
    (s) => s.topicArn === topic.arn && s.protocol === protocol && s.endpoint === endpoint,
  );
  if (existing && !sameAttributes(existing.attributes, attributes)) {
    throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
  }
  const subscription = existing ?? addSubscription(ctx, topic, protocol, endpoint, attributes);
  return { SubscriptionArn: subscription.confirmed || returnArn ? subscription.arn : 'pending confirmation' };
}

function addSubscription(
  ctx: SnsContext,
  topic: Topic,
  protocol: string,
  endpoint: string,
  attributes: Record<string, string>,
): Subscription {
  ctx.state.sequence += 1;
  const subscription: Subscription = {
    arn: `${topic.arn}:${sequencedUuid('sns-subscription', ctx.state.sequence)}`,
    topicArn: topic.arn,
    protocol,
    endpoint,
    owner: ctx.core.world.accountId,
    attributes,
    confirmed: !NEEDS_CONFIRMATION.has(protocol),
  };
  ctx.state.subscriptions.set(subscription.arn, subscription);
  return subscription;
}

function subscriptionXml(s: Subscription): Record<string, unknown> {
  return {
    SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation',
    Owner: s.owner,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  };
}

export function listSubscriptionsByTopic(ctx: SnsContext, params: Params): Record<string, unknown> {
  const topic = requireTopic(ctx, required(params, 'TopicArn'));
  const all = [...ctx.state.subscriptions.values()].filter((s) => s.topicArn === topic.arn);
  const { page, next } = pageOf(all, optional(params, 'NextToken'), SUBSCRIPTIONS_PER_PAGE);
  return { Subscriptions: { member: page.map(subscriptionXml) }, NextToken: next };
}

export function listSubscriptions(ctx: SnsContext, params: Params): Record<string, unknown> {
  const { page, next } = pageOf(
    [...ctx.state.subscriptions.values()],
    optional(params, 'NextToken'),
    SUBSCRIPTIONS_PER_PAGE,
  );
  return { Subscriptions: { member: page.map(subscriptionXml) }, NextToken: next };
}

function requireSubscription(ctx: SnsContext, arn: string): Subscription {
  if (!/^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?:[0-9a-f-]{36}$/.test(arn)) {
    throw invalidParameter('SubscriptionArn');
  }
  const subscription = ctx.state.subscriptions.get(arn);
  if (!subscription) throw notFound('Subscription does not exist');
  return subscription;
}

export function getSubscriptionAttributes(ctx: SnsContext, params: Params): Record<string, unknown> {
  const s = requireSubscription(ctx, required(params, 'SubscriptionArn'));
  const attributes: Record<string, string> = {
    SubscriptionArn: s.arn,
    TopicArn: s.topicArn,
    Owner: s.owner,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    PendingConfirmation: String(!s.confirmed),
    ConfirmationWasAuthenticated: String(s.confirmed),
    RawMessageDelivery: 'false',
    ...s.attributes,
  };
  return { Attributes: { entry: Object.entries(attributes).map(([key, value]) => ({ key, value })) } };
}

export function unsubscribe(ctx: SnsContext, params: Params): Record<string, unknown> {
  const s = requireSubscription(ctx, required(params, 'SubscriptionArn'));
  ctx.state.subscriptions.delete(s.arn);
  return {};
}
