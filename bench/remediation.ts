import { performance } from 'node:perf_hooks';
import { DescribeAutomationExecutionsCommand } from '@aws-sdk/client-ssm';
import type { AwsEvent } from '../sandbox/events.ts';
import { type LocalStack, startLocal } from '../sandbox/local.ts';
import { client } from '../src/aws/clients.ts';
import { figure, median } from './print.ts';

const SEEDS = [11, 12, 13, 14, 15];
const ALARM = 'checkout-unhealthy-hosts';

interface Timing {
  toActionMs: number;
  toOkMs: number;
  wallMs: number;
}

function alarmTransition(s: LocalStack, state: string): Promise<number> {
  return new Promise((resolve) => {
    const off = s.sandbox.core.bus.subscribe((e: AwsEvent) => {
      const d = e.detail as { alarmName?: string; state?: { value?: string; timestamp?: string } };
      if (e['detail-type'] !== 'CloudWatch Alarm State Change' || d.alarmName !== ALARM) return;
      if (d.state?.value !== state) return;
      off();
      resolve(Date.parse(d.state.timestamp!.replace(/\+0000$/, 'Z')));
    });
  });
}

/**
 * The checkout process dies on one running instance (as instance-kill leaves it); the unhealthy-hosts
 * alarm goes to ALARM; CloudWatch's event goes through the EventBridge rule serverless.yml declares
 * to the remediation state machine, which starts Faultline-RestartUnhealthyTargets (a reboot).
 * Measured on virtual time, from the alarm's transition.
 */
async function once(seed: number): Promise<Timing> {
  const s = await startLocal({ seed, time: 'fast' });
  try {
    const t0 = performance.now();
    const alarmed = alarmTransition(s, 'ALARM');
    const victim = s.sandbox.world.instances().find((i) => i.state === 'running')!;
    s.sandbox.world.killServiceProcess([victim.id]);
    const alarmAt = await alarmed;
    const ok = await alarmTransition(s, 'OK');
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
