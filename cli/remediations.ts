import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import type { LocalStack } from '../sandbox/local.ts';
import { client } from '../src/aws/clients.ts';
import { type RunOutcome, runOutcome } from '../src/remediation/run-outcome.ts';
import type { RemediationState } from '../src/remediation/state.ts';
import { stateMachineArn } from './state-machines.ts';

/** A remediation that ran during a game day, as `--json` lists it. */
export interface RemediationRun {
  runbook: string;
  action: string;
  /** The Step Functions execution's status: SUCCEEDED, FAILED, RUNNING, … */
  status: string;
  /** What came of it: resolved, escalated, rejected, held back, duplicate, … (SUCCEEDED says only that it ended well). */
  outcome: RunOutcome;
  start: string;
  end: string | null;
  execution: string;
}

async function executionsSince(arn: string, since: Date): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client('sfn').send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken }));
    out.push(...(page.executions ?? []).filter((e) => (e.startDate?.getTime() ?? 0) >= since.getTime()));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/**
 * Remediations started during a game day that acted on its incident. In the sandbox the CLI also
 * waits for the ones still running (their verification ends within the runbook's window), so that
 * the game day's sandbox is not closed under them.
 */
export async function remediationsOf(
  incidentId: string,
  since: Date,
  opts: {
    stage: string;
    stack: LocalStack | undefined;
    wait: (ms: number) => Promise<void>;
    waitForRunning: boolean;
  },
): Promise<RemediationRun[]> {
  const arn = await stateMachineArn('remediation', opts.stage, opts.stack);
  if (!arn) return [];
  let executions = await executionsSince(arn, since);
  // Bounded: a remediation's own waits (action, verification, approval) end within hours at most.
  for (let i = 0; opts.waitForRunning && i < 600 && executions.some((e) => e.status === 'RUNNING'); i++) {
    await opts.wait(30_000);
    executions = await executionsSince(arn, since);
  }
  const runs: RemediationRun[] = [];
  for (const e of executions) {
    const d = await client('sfn').send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    const state = JSON.parse(
      d.output ?? (await lastStateLeft(d.executionArn!)) ?? d.input ?? '{}',
    ) as Partial<RemediationState>;
    const triage = state.triage?.matched ? state.triage : undefined;
    if (!triage || state.incident?.incidentId !== incidentId) continue;
    runs.push({
      runbook: triage.runbook,
      action: 'document' in triage.action ? triage.action.document : triage.action.kind,
      status: d.status ?? 'UNKNOWN',
      outcome: runOutcome(d.status ?? 'UNKNOWN', state),
      start: d.startDate?.toISOString() ?? '',
      end: d.stopDate?.toISOString() ?? null,
      execution: d.executionArn ?? '',
    });
  }
  return runs;
}

/** A failed execution has no output: the state document the last step left is what it knew. */
async function lastStateLeft(executionArn: string): Promise<string | undefined> {
  const { events = [] } = await client('sfn').send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100 }),
  );
  return events.find((e) => e.stateExitedEventDetails?.output)?.stateExitedEventDetails?.output;
}
