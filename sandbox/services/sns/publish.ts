import { createHash } from 'node:crypto';
import { queryList, queryString } from '../../protocol/query.ts';
import type { SnsContext } from './context.ts';
import { sequencedUuid } from './ids.ts';
import type { MessageJournal } from './journal.ts';
import type { MessageAttribute, PublishedMessage, Topic } from './model.ts';
import { invalidParameter, invalidValue, optional, type Params } from './params.ts';
import { requireTopic } from './topics.ts';

/** SNS's limit on a message and its attributes together, in bytes. */
const MAX_MESSAGE_BYTES = 262_144;
const MAX_ATTRIBUTES = 10;
/** FIFO topics drop a message whose deduplication id was seen in the last five minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/** Where a FIFO topic remembers recent deduplication ids (in memory: the window is five minutes). */
export type DeduplicationCache = Map<string, { messageId: string; sequenceNumber: string; at: number }>;

/**
 * Publish: checks the request as SNS does, then records the message (nothing is delivered),
 * publishes it on the sandbox's event bus as `SNS Message Published`, and appends it to the
 * topic's journal file.
 */
export async function publish(
  ctx: SnsContext,
  journal: MessageJournal,
  dedup: DeduplicationCache,
  params: Params,
): Promise<Record<string, unknown>> {
  const topic = targetTopic(ctx, params);
  const message = optional(params, 'Message') ?? '';
  if (message === '') throw invalidParameter('Empty message');
  const subject = optional(params, 'Subject');
  if (
    subject !== undefined &&
    (subject.length > 100 || /\p{Cc}/u.test(subject) || !/^[\p{L}\p{N}\p{P}]/u.test(subject))
  ) {
    throw invalidParameter('Subject');
  }
  const structure = optional(params, 'MessageStructure');
  if (structure !== undefined) checkStructure(structure, message);
  const attributes = messageAttributes(params);
  const attributeBytes = Object.entries(attributes).reduce(
    (n, [name, a]) =>
      n +
      Buffer.byteLength(name) +
      Buffer.byteLength(a.DataType) +
      Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? ''),
    0,
  );
  if (Buffer.byteLength(message) + attributeBytes > MAX_MESSAGE_BYTES)
    throw invalidParameter('Message too long');
  const groupId = optional(params, 'MessageGroupId');
  const deduplicationId = optional(params, 'MessageDeduplicationId');
  const now = ctx.core.clock.now();
  const draft: Omit<PublishedMessage, 'messageId'> = {
    topicArn: topic.arn,
    ...(subject !== undefined ? { subject } : {}),
    message,
    ...(structure !== undefined ? { messageStructure: structure } : {}),
    messageAttributes: attributes,
    ...(groupId !== undefined ? { messageGroupId: groupId } : {}),
    ...(deduplicationId !== undefined ? { messageDeduplicationId: deduplicationId } : {}),
    timestamp: new Date(now).toISOString(),
  };
  if (!topic.fifo) {
    if (deduplicationId !== undefined) {
      throw invalidParameter(
        'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    }
    const messageId = nextMessageId(ctx);
    await record(ctx, journal, topic, { ...draft, messageId });
    return { MessageId: messageId };
  }
  const key = fifoKey(topic, groupId, deduplicationId, message);
  for (const [k, v] of dedup) if (now - v.at >= DEDUPLICATION_WINDOW_MS) dedup.delete(k);
  const seen = dedup.get(key);
  if (seen) return { MessageId: seen.messageId, SequenceNumber: seen.sequenceNumber };
  topic.sequence += 1;
  const sequenceNumber = (10_000_000_000_000_000_000n + BigInt(topic.sequence) * 1000n).toString();
  const messageId = nextMessageId(ctx);
  dedup.set(key, { messageId, sequenceNumber, at: now });
  await record(ctx, journal, topic, { ...draft, messageId, sequenceNumber });
  return { MessageId: messageId, SequenceNumber: sequenceNumber };
}

function nextMessageId(ctx: SnsContext): string {
  ctx.state.sequence += 1;
  return sequencedUuid('sns-message', ctx.state.sequence);
}

async function record(
  ctx: SnsContext,
  journal: MessageJournal,
  topic: Topic,
  message: PublishedMessage,
): Promise<void> {
  ctx.published.push(message);
  ctx.core.bus.publish('faultline.sandbox', 'SNS Message Published', { ...message }, [topic.arn]);
  await journal.append(topic.name, message);
}

function targetTopic(ctx: SnsContext, params: Params): Topic {
  const topicArn = optional(params, 'TopicArn');
  const targetArn = optional(params, 'TargetArn');
  const phone = optional(params, 'PhoneNumber');
  const given = [topicArn, targetArn, phone].filter((v) => v !== undefined && v !== '').length;
  if (given === 0) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  if (given > 1) {
    throw invalidParameter(
      'TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified',
    );
  }
  if (phone) throw invalidParameter('PhoneNumber Reason: the faultline sandbox does not send SMS messages');
  return topicArn ? requireTopic(ctx, topicArn) : requireTopic(ctx, targetArn!, 'TargetArn');
}

function checkStructure(structure: string, message: string): void {
  if (structure !== 'json') throw invalidParameter('MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as Record<string, unknown>).default !== 'string'
  ) {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue|BinaryValue`, checked. */
function messageAttributes(params: Params): Record<string, MessageAttribute> {
  const entries = queryList(params.MessageAttributes);
  if (entries.length > MAX_ATTRIBUTES) {
    throw invalidValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  const out: Record<string, MessageAttribute> = {};
  for (const entry of entries) {
    if (typeof entry !== 'object' || Array.isArray(entry)) throw invalidParameter('MessageAttributes');
    const name = queryString(entry.Name) ?? '';
    const value = entry.Value;
    const fields = typeof value === 'object' && !Array.isArray(value) ? value : {};
    if (
      !/^[A-Za-z0-9_.-]{1,256}$/.test(name) ||
      /^(aws|amazon)\./i.test(name) ||
      name.includes('..') ||
      name.startsWith('.') ||
      name.endsWith('.')
    ) {
      throw invalidValue(`The message attribute name '${name}' is invalid.`);
    }
    const dataType = queryString(fields.DataType) ?? '';
    if (dataType === '')
      throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const base = dataType.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw invalidValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const stringValue = queryString(fields.StringValue);
    const binaryValue = queryString(fields.BinaryValue);
    const present = base === 'Binary' ? binaryValue : stringValue;
    if (!present) {
      throw invalidValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
      );
    }
    if (base === 'Number' && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(present)) {
      throw invalidValue(`The message attribute '${name}' with type 'Number' must use a valid number value.`);
    }
    out[name] =
      base === 'Binary'
        ? { DataType: dataType, BinaryValue: present }
        : { DataType: dataType, StringValue: present };
  }
  return out;
}

/** What a FIFO topic deduplicates on: the id given, or the body's SHA-256 with content-based deduplication. */
function fifoKey(
  topic: Topic,
  groupId: string | undefined,
  deduplicationId: string | undefined,
  message: string,
): string {
  if (!groupId) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
  let id = deduplicationId;
  if (id === undefined) {
    if (topic.attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameter(
        'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    id = createHash('sha256').update(message).digest('hex');
  }
  const scope = topic.attributes.FifoThroughputScope === 'MessageGroup' ? groupId : '';
  return `${topic.arn}\n${scope}\n${id}`;
}
