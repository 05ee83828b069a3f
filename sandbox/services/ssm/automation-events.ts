import type { VirtualClock } from '../../clock.ts';
import type { EventBus } from '../../events.ts';
import type { ExecutionRecord, StepRecord } from './automation.ts';

export interface AutomationEventDeps {
  clock: VirtualClock;
  bus: EventBus;
  region: string;
  accountId: string;
}

/**
 * Automation's EventBridge events: `EC2 Automation Execution Status-change Notification` and
 * `EC2 Automation Step Status-change Notification` from `aws.ssm`, in the shape AWS documents.
 */
export class AutomationEvents {
  private readonly deps: AutomationEventDeps;

  constructor(deps: AutomationEventDeps) {
    this.deps = deps;
  }

  execution(exec: ExecutionRecord): void {
    this.deps.bus.publish(
      'aws.ssm',
      'EC2 Automation Execution Status-change Notification',
      { ...this.base(exec, exec.status, exec.startTime, exec.endTime), ExecutedBy: exec.executedBy },
      this.resources(exec),
    );
  }

  step(exec: ExecutionRecord, step: StepRecord): void {
    this.deps.bus.publish(
      'aws.ssm',
      'EC2 Automation Step Status-change Notification',
      {
        ...this.base(exec, step.status, step.startTime, step.endTime),
        StepName: step.name,
        Action: step.action,
      },
      this.resources(exec),
    );
  }

  private resources(exec: ExecutionRecord): string[] {
    const prefix = `arn:aws:ssm:${this.deps.region}:${this.deps.accountId}`;
    return [
      `${prefix}:automation-execution/${exec.id}`,
      `${prefix}:automation-definition/${exec.documentName}:${exec.documentVersion}`,
    ];
  }

  /** `Time` is the duration in milliseconds, so far or in all. */
  private base(exec: ExecutionRecord, status: string, start: number | undefined, end: number | undefined) {
    return {
      ExecutionId: exec.id,
      Definition: exec.documentName,
      DefinitionVersion: Number(exec.documentVersion),
      Status: status,
      ...(start === undefined ? {} : { StartTime: eventTime(start) }),
      ...(end === undefined ? {} : { EndTime: eventTime(end) }),
      Time: start === undefined ? 0 : (end ?? this.deps.clock.now()) - start,
    };
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Automation events write times as `Nov 29, 2016 7:43:25 PM` (UTC). */
export function eventTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ` +
    `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`
  );
}
