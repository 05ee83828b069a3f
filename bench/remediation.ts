import { performance } from 'node:perf_hooks';
import { DescribeAutomationExecutionsCommand } from '@aws-sdk/client-ssm';
import { DEFAULT_EPOCH } from '../sandbox/clock.ts';
import { startLocal } from '../sandbox/local.ts';
import { client } from '../src/aws/clients.ts';
import { alarmTransition, transitionTime, unhealthyHostsAlarm } from '../test/remediation/flow-stack.ts';
import { figure, median } from './print.ts';

const SEEDS = [11, 12, 13, 14, 15];

interface Timing {
  toActionMs: number;
  toOkMs: number;
  wallMs: number;
}

/**
 * The checkout process dies on one running instance (as instance-kill leaves it); the unhealthy-hosts
 * alarm goes to ALARM; CloudWatch's event goes through the EventBridge rule serverless.yml declares
 * to the remediation state machine, which starts Faultline-RestartUnhealthyTargets (a reboot).
 * Measured on virtual time, from the alarm's transition.
 */
async function once(seed: number): Promise<Timing> {
  const s = await startLocal({ seed, start: DEFAULT_EPOCH, time: 'fast' });
  try {
    const t0 = performance.now();
    const alarmAt = transitionTime(await unhealthyHostsAlarm(s));
    const ok = transitionTime(await alarmTransition(s, 'checkout-unhealthy-hosts', 'OK'));
    const { AutomationExecutionMetadataList: runs = [] } = await client('ssm').send(
      new DescribeAutomationExecutionsCommand({}),
    );
    const first = runs.map((r) => r.ExecutionStartTime!.getTime()).sort((a, b) => a - b)[0];
    if (first === undefined) throw new Error(`seed ${seed}: the alarm fired but no remediation acted`);
    return { toActionMs: first - alarmAt, toOkMs: ok - alarmAt, wallMs: performance.now() - t0 };
  } finally {
    await s.close();
  }
}

/** Alarm → remediation action, and alarm → OK again, in virtual seconds (median and worst of a few seeds). */
export async function remediationBench(): Promise<void> {
  const timings: Timing[] = [];
  for (const seed of SEEDS) timings.push(await once(seed));
  const seconds = (pick: (t: Timing) => number) => timings.map((t) => pick(t) / 1000);
  figure('remediation.alarm_to_action.median', median(seconds((t) => t.toActionMs)), 's(virtual)');
  figure('remediation.alarm_to_action.max', Math.max(...seconds((t) => t.toActionMs)), 's(virtual)');
  figure('remediation.alarm_to_ok.median', median(seconds((t) => t.toOkMs)), 's(virtual)');
  figure('remediation.alarm_to_ok.max', Math.max(...seconds((t) => t.toOkMs)), 's(virtual)');
  figure('remediation.unhealthy_hosts.wall_time.median', median(seconds((t) => t.wallMs)), 's');
  process.stderr.write(`# remediation: ${timings.length} runs (seeds ${SEEDS.join(', ')})\n`);
}
