import {
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { type ExecutionEnded, reconcileExecution, stateMachinesFrom } from '../../src/reconcile/execution.ts';

const MACHINES = { gameday: 'faultline-dev-gameday', remediation: 'faultline-dev-remediation' };
const arn = (machine: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`;

/** An SFN client that answers GetExecutionHistory with `history` (newest first) and records StartExecution. */
function sfn(
  history: HistoryEvent[],
  start: (input: unknown) => unknown = () => ({ executionArn: 'arn:new' }),
) {
  const started: { stateMachineArn?: string; name?: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof GetExecutionHistoryCommand) return { events: history };
      if (command instanceof StartExecutionCommand) {
        const { stateMachineArn, name, input } = command.input;
        started.push({ stateMachineArn, name, input: JSON.parse(input!) });
        return start(command.input);
      }
      throw new Error('unexpected command');
    },
  } as unknown as SFNClient;
  return { client, started };
}

function ended(machine: string, detail: Partial<ExecutionEnded['detail']> = {}): ExecutionEnded {
  return {
    detail: {
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:${machine}:run-1`,
      stateMachineArn: arn(machine),
      name: 'run-1',
      status: 'FAILED',
      input: '{"gamedayId":"run-1"}',
      error: 'Sandbox.Stopped',
      cause: 'the sandbox stopped while this execution was running',
      stopDate: Date.UTC(2026, 0, 5, 9, 23),
      ...detail,
    },
  };
}

const entered = (name: string, type: string, input: unknown): HistoryEvent =>
  ({
    id: 2,
    type: `${type}StateEntered`,
    timestamp: new Date(),
    stateEnteredEventDetails: { name, input: JSON.stringify(input) },
  }) as HistoryEvent;

/** faultline's own executions that ended outside their flows' failure paths are resumed there. */
describe('reconciling an ended execution', () => {
  it('resumes a game day at its failure path with the document it last had and the failure', async () => {
    const doc = {
      gamedayId: 'run-1',
      incident: { incidentId: 'run-1', openedAt: 'x' },
      experimentRun: { experimentId: 'EXP1', startedAt: 'y' },
    };
    const { client, started } = sfn([entered('WaitOneMinute', 'Wait', doc)]);
    const out = await reconcileExecution(ended(MACHINES.gameday), { sfn: client, stateMachines: MACHINES });
    expect(out).toEqual({ outcome: 'resumed', flow: 'gameday', executionArn: 'arn:new' });
    expect(started).toEqual([
      {
        stateMachineArn: arn(MACHINES.gameday),
        name: 'run-1-ended',
        input: {
          ...doc,
          failure: {
            Error: 'Sandbox.Stopped',
            Cause: 'the sandbox stopped while this execution was running',
          },
        },
      },
    ]);
  });

  it('resumes a remediation that died before its first step from its input, the event', async () => {
    const event = { id: 'evt-1', source: 'aws.cloudwatch' };
    const { client, started } = sfn([]);
    await reconcileExecution(
      ended(MACHINES.remediation, {
        name: 'abc',
        input: JSON.stringify(event),
        status: 'ABORTED',
        error: null,
        cause: null,
      }),
      { sfn: client, stateMachines: MACHINES },
    );
    expect(started[0]!.input).toEqual({
      remediationId: 'abc',
      event,
      failure: { Error: 'ExecutionAborted', Cause: 'execution abc was aborted at 2026-01-05T09:23:00.000Z' },
    });
  });

  it('leaves alone an execution its own flow ended, and one of another state machine', async () => {
    const own = sfn([entered('GameDayFailed', 'Fail', { gamedayId: 'run-1' })]);
    expect(
      await reconcileExecution(ended(MACHINES.gameday), { sfn: own.client, stateMachines: MACHINES }),
    ).toMatchObject({ outcome: 'ignored' });
    const other = sfn([]);
    expect(
      await reconcileExecution(ended('someone-elses'), { sfn: other.client, stateMachines: MACHINES }),
    ).toMatchObject({ outcome: 'ignored' });
    expect([...own.started, ...other.started]).toEqual([]);
  });

  it('starts nothing twice: a second delivery of the same end finds the resumed execution there', async () => {
    const { client } = sfn([], () => {
      throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
    });
    expect(
      await reconcileExecution(ended(MACHINES.gameday), { sfn: client, stateMachines: MACHINES }),
    ).toEqual({
      outcome: 'already-resumed',
      flow: 'gameday',
      name: 'run-1-ended',
    });
  });

  it('names the missing setting', () => {
    expect(() => stateMachinesFrom({ FAULTLINE_GAMEDAY_STATE_MACHINE: 'g' })).toThrow(
      'FAULTLINE_REMEDIATION_STATE_MACHINE is not set',
    );
  });
});
