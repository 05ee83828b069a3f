import type { SandboxCore } from '../context.ts';
import { type QueryOperation, queryProtocol } from '../protocol/query.ts';
import type { SandboxService } from './service.ts';
import type { SnsContext } from './sns/context.ts';
import { MessageJournal } from './sns/journal.ts';
import type { PublishedMessage } from './sns/model.ts';
import { type DeduplicationCache, publish } from './sns/publish.ts';
import { SnsState } from './sns/state.ts';
import {
  getSubscriptionAttributes,
  listSubscriptions,
  listSubscriptionsByTopic,
  subscribe,
  unsubscribe,
} from './sns/subscriptions.ts';
import {
  createTopic,
  deleteTopic,
  getTopicAttributes,
  listTagsForResource,
  listTopics,
  setTopicAttributes,
  tagResource,
  untagResource,
} from './sns/topics.ts';

export type { PublishedMessage } from './sns/model.ts';

export interface SnsService extends SandboxService {
  /** Messages published since the sandbox started (all topics, or one), oldest first. */
  messages(topicArn?: string): PublishedMessage[];
}

/**
 * SNS (awsQuery): topics, subscriptions and Publish. Nothing is delivered: each published message
 * is recorded in memory, published on the sandbox's event bus as `SNS Message Published` (source
 * `faultline.sandbox`), and appended to `<stateDir>/sns/<topic>.jsonl`.
 */
export function createSNSService(core: SandboxCore): SnsService {
  const state = new SnsState();
  const ctx: SnsContext = { core, state, published: [] };
  const journal = new MessageJournal(core.stateDir);
  const dedup: DeduplicationCache = new Map();
  const operations: Record<string, QueryOperation> = {
    CreateTopic: (p, req) => createTopic(ctx, p, req.region),
    ListTopics: (p, req) => listTopics(ctx, p, req.region),
    GetTopicAttributes: (p) => getTopicAttributes(ctx, p),
    SetTopicAttributes: (p) => setTopicAttributes(ctx, p),
    DeleteTopic: (p) => deleteTopic(ctx, p),
    Subscribe: (p) => subscribe(ctx, p),
    ListSubscriptionsByTopic: (p) => listSubscriptionsByTopic(ctx, p),
    ListSubscriptions: (p) => listSubscriptions(ctx, p),
    GetSubscriptionAttributes: (p) => getSubscriptionAttributes(ctx, p),
    Unsubscribe: (p) => unsubscribe(ctx, p),
    Publish: (p) => publish(ctx, journal, dedup, p),
    ListTagsForResource: (p) => listTagsForResource(ctx, p),
    TagResource: (p) => tagResource(ctx, p),
    UntagResource: (p) => untagResource(ctx, p),
  };
  return {
    signingName: 'sns',
    handler: queryProtocol({
      xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
      operations,
      dialect: 'query',
    }),
    save: () => state.save(),
    restore: (saved) => state.restore(saved),
    messages: (topicArn) => ctx.published.filter((m) => topicArn === undefined || m.topicArn === topicArn),
  };
}
