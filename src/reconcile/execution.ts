import {
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsCall } from '../aws/errors.ts';
import { ConfigurationError } from '../runtime/configuration-error.ts';
import * as z from '../zod.ts';

/**
 * An execution of faultline's own that ended outside its flow's failure handling: aborted (a
 * person's StopExecution), timed out, or failed where no Catch reached (on the sandbox: the sandbox
 * stopped under it). Its incident would stay open for ever, its remediation "in progress". The
 * event is Step Functions' own (EventBridge `Step Functions Execution Status Change`).
 */
export const executionEnded = z.looseObject({
  detail: z.looseObject({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.nullish(z.string()),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
    stopDate: z.nullish(z.number()),
  }),
});
export type ExecutionEnded = z.infer<typeof executionEnded>;

export type Flow = 'gameday' | 'remediation';

export interface ReconcileDeps {
  sfn: SFNClient;
  /** The state machines' names, by flow (provider.environment in serverless.yml). */
  stateMachines: Record<Flow, string>;
}

export type ReconcileResult =
  | { outcome: 'resumed'; flow: Flow; executionArn: string }
  | { outcome: 'already-resumed'; flow: Flow; name: string }
  | { outcome: 'ignored'; reason: string };

const STATE_MACHINE_ENV: Record<Flow, string> = {
  gameday: 'FAULTLINE_GAMEDAY_STATE_MACHINE',
  remediation: 'FAULTLINE_REMEDIATION_STATE_MACHINE',
};

/** The flows' state machine names, from the function's environment. */
export function stateMachinesFrom(source: Record<string, string | undefined>): Record<Flow, string> {
  const read = (flow: Flow) => {
    const value = source[STATE_MACHINE_ENV[flow]];
    if (!value) {
      throw new ConfigurationError(
        `${STATE_MACHINE_ENV[flow]} is not set (see provider.environment in serverless.yml)`,
      );
    }
    return value;
  };
  return { gameday: read('gameday'), remediation: read('remediation') };
}

/** What the resumed execution's name adds to the ended one's (names are at most 80 characters). */
const SUFFIX = '-ended';

/**
 * Finishes what an ended execution left: it is started again on the same state machine, where the
 * document it last entered a state with, plus the failure, leads straight into the flow's own
 * failure path (Interrupted? in the ASL). A game day stops its experiments, records the failure,
 * closes its incident as failed and writes its report; a remediation records its failure on its
 * incident, counts it against the breaker and tells a person. An execution its own flow ended (a
 * Fail state) needs nothing. The resumed execution is named after the ended one, so that a second
 * delivery of the same event starts nothing more.
 */
export async function reconcileExecution(
  event: ExecutionEnded,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const d = event.detail;
  const flow = flowOf(d.stateMachineArn, deps.stateMachines);
  if (!flow) return { outcome: 'ignored', reason: `${d.stateMachineArn} is not a faultline flow` };
  const last = await lastEnteredState(deps.sfn, d.executionArn);
  if (last?.type === 'FailStateEntered') {
    return {
      outcome: 'ignored',
      reason: `${d.name} ended in its own failure path (${last.stateEnteredEventDetails?.name})`,
    };
  }
  const document = documentOf(flow, d, last);
  const failure = {
    Error: d.error ?? (d.status === 'TIMED_OUT' ? 'States.Timeout' : `Execution${pascal(d.status)}`),
    Cause:
      d.cause ??
      `execution ${d.name} was ${d.status.toLowerCase().replace('_', ' ')}${d.stopDate ? ` at ${new Date(d.stopDate).toISOString()}` : ''}`,
  };
  const name = `${d.name.slice(0, 80 - SUFFIX.length)}${SUFFIX}`;
  try {
    const out = await awsCall('start the failure path', () =>
      deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: d.stateMachineArn,
          name,
          input: JSON.stringify({ ...document, failure }),
        }),
      ),
    );
    return { outcome: 'resumed', flow, executionArn: out.executionArn! };
  } catch (e) {
    if (e instanceof ExecutionAlreadyExists) return { outcome: 'already-resumed', flow, name };
    throw e;
  }
}

function flowOf(stateMachineArn: string, names: Record<Flow, string>): Flow | undefined {
  const name = stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1);
  return (Object.keys(names) as Flow[]).find((flow) => names[flow] === name);
}

/** The last state the execution entered, with the document it entered with (newest event first). */
async function lastEnteredState(sfn: SFNClient, executionArn: string): Promise<HistoryEvent | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await awsCall('read the execution history', () =>
      sfn.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, nextToken }),
      ),
    );
    const entered = page.events?.find((e) => e.type?.endsWith('StateEntered'));
    if (entered) return entered;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * The state document to resume with: the one the execution last entered a state with (it carries
 * what the steps so far found: the incident, the experiment, the triage), or, before its first
 * step had run, its input as the flow's first state would have made it.
 */
function documentOf(
  flow: Flow,
  d: ExecutionEnded['detail'],
  last: HistoryEvent | undefined,
): Record<string, unknown> {
  const idKey = flow === 'gameday' ? 'gamedayId' : 'remediationId';
  const entered = parseObject(last?.stateEnteredEventDetails?.input);
  if (entered && typeof entered[idKey] === 'string') return entered;
  const input = parseObject(d.input ?? undefined) ?? {};
  // The flows' first states: a game day without an id takes the execution's name; a remediation's
  // input is the event itself.
  if (flow === 'gameday') return { ...input, gamedayId: input.gamedayId ?? d.name };
  return { remediationId: d.name, event: input };
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function pascal(status: string): string {
  return status
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
