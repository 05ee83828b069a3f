import { z } from 'zod';
import { type Subscription, subscriptionSchema, type Topic, topicSchema } from './model.ts';

const savedStateSchema = z.object({
  topics: z.array(topicSchema),
  subscriptions: z.array(subscriptionSchema),
  sequence: z.number(),
});
type SavedState = z.infer<typeof savedStateSchema>;

/**
 * Topics and subscriptions, kept between runs. Published messages are not part of it: they are in
 * the `sns/<topic>.jsonl` files of the state folder.
 */
export class SnsState {
  /** By ARN, in creation order (the order ListTopics answers in). */
  readonly topics = new Map<string, Topic>();
  readonly subscriptions = new Map<string, Subscription>();
  /** Counter behind message and subscription ids. */
  sequence = 0;

  save(): SavedState {
    return {
      topics: [...this.topics.values()],
      subscriptions: [...this.subscriptions.values()],
      sequence: this.sequence,
    };
  }

  restore(raw: unknown): void {
    const parsed = savedStateSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`sns state: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    }
    this.topics.clear();
    this.subscriptions.clear();
    for (const t of parsed.data.topics) this.topics.set(t.arn, t);
    for (const s of parsed.data.subscriptions) this.subscriptions.set(s.arn, s);
    this.sequence = parsed.data.sequence;
  }
}
