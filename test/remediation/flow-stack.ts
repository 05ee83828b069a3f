import { createRequire } from 'node:module';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
} from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DescribeAutomationExecutionsCommand } from '@aws-sdk/client-ssm';
import type { AwsEvent } from '../../sandbox/events.ts';
import type { LocalStack } from '../../sandbox/local.ts';
import { allClients, client } from '../../src/aws/clients.ts';
import { liveRemediationDeps, type RemediationDeps } from '../../src/remediation/deps.ts';
import type { RemediationState } from '../../src/remediation/state.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';

const require = createRequire(import.meta.url);
const runbookFiles = require('../../runbooks/bundle.cjs') as {
  bundle(): { file: string; data: Record<string, unknown> }[];
};

/** The shipped runbooks with changes, as FAULTLINE_RUNBOOKS would carry them. */
export function runbooksWith(extra: Record<string, unknown>[]): string {
  return JSON.stringify([
    ...extra.map((data) => ({ file: `runbooks/${String(data.name)}.yaml`, data })),
    ...runbookFiles.bundle(),
  ]);
}

/** A shipped runbook's file content, to change and hand to runbooksOnly. */
export function shippedRunbook(name: string): Record<string, unknown> {
  const found = runbookFiles.bundle().find((r) => r.data.name === name);
  if (!found) throw new Error(`no shipped runbook named ${name}`);
  return found.data;
}

/** Exactly these runbooks, as FAULTLINE_RUNBOOKS would carry them. */
export function runbooksOnly(runbooks: Record<string, unknown>[]): string {
  return JSON.stringify(runbooks.map((data) => ({ file: `runbooks/${String(data.name)}.yaml`, data })));
}

/**
 * Switches the EventBridge rules that start remediation on live alarms (deployed from
 * serverless.yml) off or on, for tests that hand the flow events themselves.
 */
export async function remediationRules(enabled: boolean): Promise<void> {
  const events = new EventBridgeClient({});
  try {
    const { Rules } = await events.send(new ListRulesCommand({}));
    const live = (Rules ?? []).filter((r) => r.Name?.includes('Remediation'));
    if (live.length === 0) throw new Error('no remediation rules deployed from serverless.yml');
    for (const rule of live) {
      await events.send(
        enabled ? new EnableRuleCommand({ Name: rule.Name }) : new DisableRuleCommand({ Name: rule.Name }),
      );
    }
  } finally {
    events.destroy();
  }
}

/**
 * Makes CloudWatch show alarm `name` in ALARM, and keep it there (its metric becomes one nobody
 * publishes, missing data breaching): a remediation confirms the alarm is in ALARM before it acts,
 * so a test that hands the flow an event of its own must make the alarm say so too.
 */
export async function heldInAlarm(name: string): Promise<void> {
  const cloudwatch = client('cloudwatch');
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Faultline/Test',
      MetricName: 'NeverPublished',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    }),
  );
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: name,
      StateValue: 'ALARM',
      StateReason: 'held in ALARM by the test',
    }),
  );
}

/** Resolves with the first event on the sandbox's bus that `matches`. */
export function nextEvent(stack: LocalStack, matches: (e: AwsEvent) => boolean): Promise<AwsEvent> {
  return new Promise((resolve) => {
    const off = stack.sandbox.core.bus.subscribe((e) => {
      if (!matches(e)) return;
      off();
      resolve(e);
    });
  });
}

export interface Finished {
  status: string;
  error?: string;
  output?: RemediationState;
  states: string[];
}

/**
 * Starts the deployed remediation state machine with `event` as EventBridge would, and waits (on
 * virtual time) until the execution ends.
 */
export async function remediate(stack: LocalStack, event: unknown, name: string): Promise<Finished> {
  const sfn = client('sfn');
  const ended = nextEvent(
    stack,
    (e) =>
      e['detail-type'] === 'Step Functions Execution Status Change' &&
      (e.detail as { name?: string }).name === name,
  );
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stack.deployment.stateMachines.remediation,
      name,
      input: JSON.stringify(event),
    }),
  );
  await ended;
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return {
    status: d.status ?? 'UNKNOWN',
    error: d.error,
    output: d.output ? (JSON.parse(d.output) as RemediationState) : undefined,
    states: (history.events ?? [])
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name ?? ''),
  };
}

export async function automationExecutions() {
  const out = await client('ssm').send(new DescribeAutomationExecutionsCommand({}));
  return out.AutomationExecutionMetadataList ?? [];
}

export function deps(stack: LocalStack): RemediationDeps {
  return liveRemediationDeps(allClients(), process.env, () => stack.clock.date());
}

export async function timeline(stack: LocalStack, incidentId: string): Promise<TimelineEvent[]> {
  return deps(stack).store.all(incidentId);
}

/** The kinds on a timeline written by one remediation, in order. */
export function kindsOf(events: TimelineEvent[], remediationId: string): string[] {
  return events.filter((e) => e.detail.remediationId === remediationId).map((e) => e.kind);
}

/** Resolves with the next state change of `alarmName` into `state` that CloudWatch publishes. */
export function alarmTransition(s: LocalStack, alarmName: string, state: string): Promise<AwsEvent> {
  return nextEvent(
    s,
    (e) =>
      e['detail-type'] === 'CloudWatch Alarm State Change' &&
      (e.detail as { alarmName?: string }).alarmName === alarmName &&
      (e.detail as { state?: { value?: string } }).state?.value === state,
  );
}

/** When an alarm state change says the transition happened (`detail.state.timestamp`), epoch ms. */
export function transitionTime(e: AwsEvent): number {
  const at = (e.detail as { state: { timestamp: string } }).state.timestamp;
  return Date.parse(at.replace(/\+0000$/, 'Z'));
}

/**
 * A real alarm state change: the service process killed on one running checkout instance (the host
 * keeps running, as the instance-kill experiment leaves it) until the unhealthy-hosts alarm fires.
 */
export async function unhealthyHostsAlarm(s: LocalStack) {
  const fired = alarmTransition(s, 'checkout-unhealthy-hosts', 'ALARM');
  const victim = s.sandbox.world.instances().find((i) => i.state === 'running')!;
  s.sandbox.world.killServiceProcess([victim.id]);
  return fired;
}
