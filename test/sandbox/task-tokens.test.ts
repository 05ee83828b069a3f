import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { startSandbox } from '../helpers/sandbox.ts';

const ROLE = 'arn:aws:iam::123456789012:role/faultline-states';
const WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

const VERDICTS: Record<string, string> = {
  Approved: 'approved',
  Rejected: 'rejected',
  TimedOut: 'timed out',
  OtherFailure: 'other failure',
};

/** Lets pending promise chains run (no timers involved). */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('sandbox Step Functions: .waitForTaskToken', () => {
  let sb: Sandbox;
  let sfn: SFNClient;
  /** Execution name → the token its Lambda was handed, as it arrives. */
  const handed = new Map<string, PromiseWithResolvers<string>>();
  const tokenFor = (name: string) => {
    if (!handed.has(name)) handed.set(name, Promise.withResolvers<string>());
    return handed.get(name)!.promise;
  };

  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    sfn = new SFNClient(started.config);
    sb.lambdas.register('ask', async (e) => {
      const { token, run } = e as { token: string; run: string };
      tokenFor(run);
      handed.get(run)!.resolve(token);
      return { asked: true };
    });
    sb.lambdas.register('broken', async () => {
      throw Object.assign(new Error('no pager today'), { name: 'PagerError' });
    });
  });
  afterAll(async () => {
    await sb.close();
  });

  /** A machine whose one Task waits for its token, then succeeds; `task` adds fields to that Task. */
  async function machine(name: string, task: Record<string, unknown>, fn = 'ask'): Promise<string> {
    const definition = JSON.stringify({
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: WAIT,
          Parameters: {
            FunctionName: sb.lambdas.functionArn(fn),
            Payload: { 'token.$': '$$.Task.Token', 'run.$': '$$.Execution.Name' },
          },
          Next: 'Approved',
          ...task,
        },
        ...outcomes([
          'Approved',
          ...((task.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
        ]),
      },
    });
    const out = await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }));
    return out.stateMachineArn!;
  }

  /** Pass states that end the run, named by the verdict they record. */
  const outcomes = (names: string[]) =>
    Object.fromEntries(
      names.map((n) => [n, { Type: 'Pass', Result: VERDICTS[n], ResultPath: '$.verdict', End: true }]),
    );

  async function start(stateMachineArn: string, name: string): Promise<string> {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"who":"sre"}' }));
    return out.executionArn!;
  }

  async function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let i = 0; i < 500; i++) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
      await turn();
    }
    throw new Error(`${executionArn} is still running`);
  }

  const status = async (executionArn: string) =>
    (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;

  const historyTypes = async (executionArn: string) =>
    ((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? []).map((e) => e.type);

  it('hands the Lambda a token and waits for SendTaskSuccess, whose output is the result', async () => {
    const arn = await start(await machine('approve-ok', { ResultPath: '$.answer' }), 'ok-1');
    const token = await tokenFor('ok-1');
    expect(token).toMatch(/^AQC/);
    // Nothing answers yet: the execution waits, however long.
    await sb.clock.advance(3_600_000);
    expect(await status(arn)).toBe('RUNNING');

    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approvedBy":"alice"}' }));
    const done = await settled(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      who: 'sre',
      answer: { approvedBy: 'alice' },
      verdict: 'approved',
    });
    const types = await historyTypes(arn);
    expect(types).toEqual(
      expect.arrayContaining(['TaskStateEntered', 'TaskScheduled', 'TaskSubmitted', 'TaskSucceeded']),
    );
    expect(types.indexOf('TaskSubmitted')).toBeLessThan(types.indexOf('TaskSucceeded'));
    // As on AWS, the scheduled task's resolved parameters carry the token.
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const scheduled = history.events!.find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    expect(scheduled.resource).toBe('invoke.waitForTaskToken');
    expect(JSON.parse(scheduled.parameters!).Payload).toEqual({ token, run: 'ok-1' });

    // A token answers once; afterwards its task no longer exists.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('fails the state with the error of SendTaskFailure, which Catch handles', async () => {
    const arn = await start(
      await machine('approve-reject', {
        Catch: [{ ErrorEquals: ['ApprovalRejected'], ResultPath: '$.error', Next: 'Rejected' }],
      }),
      'reject-1',
    );
    const token = await tokenFor('reject-1');
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejected', cause: 'not during peak' }),
    );
    const done = await settled(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      who: 'sre',
      error: { Error: 'ApprovalRejected', Cause: 'not during peak' },
      verdict: 'rejected',
    });
    expect(await historyTypes(arn)).toContain('TaskFailed');
  });

  it('times the task out after TimeoutSeconds of virtual time: States.Timeout, which States.TaskFailed does not catch', async () => {
    const arn = await start(
      await machine('approve-timeout', {
        TimeoutSeconds: 300,
        Catch: [
          { ErrorEquals: ['States.TaskFailed'], Next: 'OtherFailure' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
        ],
      }),
      'timeout-1',
    );
    const token = await tokenFor('timeout-1');
    await sb.clock.advance(299_000);
    expect(await status(arn)).toBe('RUNNING');
    await sb.clock.advance(1_000);
    const done = await settled(arn);
    expect(JSON.parse(done.output!).verdict).toBe('timed out');
    expect(JSON.parse(done.output!).error.Error).toBe('States.Timeout');
    expect(await historyTypes(arn)).toContain('TaskTimedOut');
    // The answer came too late.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('keeps a task alive while heartbeats arrive within HeartbeatSeconds, and fails it when they stop', async () => {
    const arn = await start(await machine('approve-heartbeat', { HeartbeatSeconds: 60 }), 'heartbeat-1');
    const token = await tokenFor('heartbeat-1');
    for (let i = 0; i < 3; i++) {
      await sb.clock.advance(50_000);
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    await sb.clock.advance(59_000);
    expect(await status(arn)).toBe('RUNNING');
    await sb.clock.advance(1_000);
    const done = await settled(arn);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.HeartbeatTimeout');
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
  });

  it('answers unknown, malformed and already-ended tokens and bad output with the errors AWS uses', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    const arn = await start(await machine('approve-errors', {}), 'errors-1');
    const token = await tokenFor('errors-1');
    // Well-formed, but no task was ever handed it.
    const stranger = `AQC${Buffer.from(JSON.stringify({ e: arn, s: 'Ask', n: 99 })).toString('base64url')}`;
    await expect(
      sfn.send(new SendTaskFailureCommand({ taskToken: stranger, error: 'X' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    // Output that is not JSON is refused and the task keeps waiting.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: 'yes please' })),
    ).rejects.toBeInstanceOf(InvalidOutput);
    expect(await status(arn)).toBe('RUNNING');
    // Stopping the execution ends its waiting task.
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('fails the state when the Lambda that should hand the token on fails, and the token is void', async () => {
    const arn = await start(await machine('approve-broken', {}, 'broken'), 'broken-1');
    const done = await settled(arn);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('PagerError');
  });

  it('does not fail the task when a queued (Event) invocation fails: the token still answers it', async () => {
    const arn = await start(
      await machine(
        'approve-queued',
        {
          Parameters: {
            FunctionName: sb.lambdas.functionArn('broken'),
            InvocationType: 'Event',
            Payload: { 'token.$': '$$.Task.Token' },
          },
        },
        'broken',
      ),
      'queued-1',
    );
    let parameters: string | undefined;
    for (let i = 0; i < 100 && parameters === undefined; i++) {
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
      parameters = history.events!.find((e) => e.type === 'TaskSubmitted')
        ? history.events!.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.parameters
        : undefined;
      await turn();
    }
    expect(await status(arn)).toBe('RUNNING');
    const { token } = JSON.parse(parameters!).Payload as { token: string };
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    expect((await settled(arn)).status).toBe('SUCCEEDED');
  });
});
