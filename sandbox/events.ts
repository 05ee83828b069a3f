import { EventEmitter } from 'node:events';

/**
 * An event as EventBridge delivers it. The sandbox's services publish their state changes in this
 * shape (CloudWatch alarm state changes, FIS experiment state changes, EC2 instance state-change
 * notifications, SSM automation status changes) so that rules from serverless.yml can match them
 * exactly as in AWS.
 */
export interface AwsEvent<TDetail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: TDetail;
}

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly history: AwsEvent[] = [];
  private seq = 0;
  private readonly account: string;
  private readonly region: string;
  private readonly now: () => number;

  constructor(opts: { account: string; region: string; now: () => number }) {
    this.account = opts.account;
    this.region = opts.region;
    this.now = opts.now;
    this.emitter.setMaxListeners(100);
  }

  /** Builds and publishes an event; the id is deterministic (a sequence) so runs replay identically. */
  publish<T extends Record<string, unknown>>(
    source: string,
    detailType: string,
    detail: T,
    resources: string[] = [],
  ): AwsEvent<T> {
    this.seq += 1;
    const event: AwsEvent<T> = {
      version: '0',
      id: `00000000-0000-4000-8000-${this.seq.toString(16).padStart(12, '0')}`,
      'detail-type': detailType,
      source,
      account: this.account,
      time: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources,
      detail,
    };
    this.history.push(event as AwsEvent);
    this.emitter.emit('event', event);
    return event;
  }

  /** How many events have been published, in this run and the ones whose state it resumed. */
  get published(): number {
    return this.seq;
  }

  /**
   * Goes on numbering after `published` events of an earlier run: ids never repeat across
   * restarts (remediation claims events by id: a repeated id would pass for a duplicate).
   */
  continueAfter(published: number): void {
    this.seq = Math.max(this.seq, published);
  }

  subscribe(listener: (event: AwsEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Every event published so far, oldest first. */
  all(): readonly AwsEvent[] {
    return this.history;
  }
}
