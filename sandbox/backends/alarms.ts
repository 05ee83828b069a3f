import type { VirtualClock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { MetricStore } from './metrics.ts';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmEngineDeps {
  clock: VirtualClock;
  bus: EventBus;
  metrics: MetricStore;
  region: string;
  accountId: string;
}

/**
 * CloudWatch's alarms: definitions, current state, history, and their evaluation over the metric
 * store with CloudWatch's semantics. The CloudWatch service exposes it on the wire; FIS reads it
 * for stop conditions. Every state change is published on the bus as a
 * `CloudWatch Alarm State Change` event (resources: [alarmArn]).
 */
export class AlarmEngine {
  private readonly deps: AlarmEngineDeps;
  constructor(deps: AlarmEngineDeps) {
    this.deps = deps;
  }

  /** Current state of the alarm with this ARN, or undefined if there is no such alarm. */
  stateOf(alarmArn: string): AlarmStateValue | undefined {
    void alarmArn;
    void this.deps;
    return undefined;
  }
}
