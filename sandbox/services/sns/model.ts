import { z } from 'zod';

/** The SNS sandbox's topics and subscriptions, as zod schemas because they are read back from the state folder. */

export const topicSchema = z.object({
  arn: z.string(),
  name: z.string(),
  fifo: z.boolean(),
  /** Attributes set at creation or with SetTopicAttributes (not the computed ones). */
  attributes: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  /** FIFO topics number their messages. */
  sequence: z.number(),
});
export type Topic = z.infer<typeof topicSchema>;

export const subscriptionSchema = z.object({
  arn: z.string(),
  topicArn: z.string(),
  protocol: z.string(),
  endpoint: z.string(),
  owner: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** HTTP(S) and email endpoints must confirm; nothing is delivered, so they stay pending. */
  confirmed: z.boolean(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64, as it came over the wire. */
  BinaryValue?: string;
}

/** A message as Publish recorded it: what the topic would have delivered. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  messageAttributes: Record<string, MessageAttribute>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
  /** ISO-8601, virtual time. */
  timestamp: string;
}
