import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { type ClientConfig, startSandbox } from '../helpers/sandbox.ts';

const ROLE = 'arn:aws:iam::123456789012:role/faultline-states';

async function settle(sfn: SFNClient, executionArn: string) {
  for (let i = 0; i < 200; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('execution did not finish');
}

describe('sandbox Step Functions', () => {
  let sb: Sandbox;
  let config: ClientConfig;
  let sfn: SFNClient;
  beforeAll(async () => {
    ({ sb, config } = await startSandbox());
    sfn = new SFNClient(config);
    sb.lambdas.register('double', async (e) => ({ n: (e as { n: number }).n * 2 }));
    sb.lambdas.register('flaky', async () => {
      throw Object.assign(new Error('the downstream said no'), { name: 'DownstreamError' });
    });
  });
  afterAll(async () => {
    await sb.close();
  });

  const arnOf = (fn: string) => sb.lambdas.functionArn(fn);

  it('runs Lambda tasks in-process and records the history', async () => {
    const definition = JSON.stringify({
      StartAt: 'Double',
      States: {
        Double: { Type: 'Task', Resource: arnOf('double'), Next: 'Big?' },
        'Big?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }],
          Default: 'Small',
        },
        Big: { Type: 'Succeed' },
        Small: { Type: 'Fail', Error: 'TooSmall', Cause: 'n was small' },
      },
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'doubler', definition, roleArn: ROLE }),
    );
    const big = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'big', input: '{"n":6}' }));
    const done = await settle(sfn, big.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ n: 12 });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: big.executionArn! }));
    const types = history.events!.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types).toContain('TaskStateEntered');
    expect(types).toContain('ChoiceStateExited');
    expect(types.at(-1)).toBe('ExecutionSucceeded');

    const small = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'small', input: '{"n":1}' }),
    );
    const failed = await settle(sfn, small.executionArn!);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('TooSmall');
    expect(sb.lambdas.invocations().filter((i) => i.functionName === 'double')).toHaveLength(2);
  });

  it('lets Catch match the Lambda error by its name, as on AWS', async () => {
    const definition = JSON.stringify({
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: arnOf('flaky'),
          Retry: [{ ErrorEquals: ['DownstreamError'], MaxAttempts: 1, IntervalSeconds: 0 }],
          Catch: [{ ErrorEquals: ['DownstreamError'], ResultPath: '$.error', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'catcher', definition, roleArn: ROLE }),
    );
    const run = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'one', input: '{}' }));
    const done = await settle(sfn, run.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).error.Error).toBe('DownstreamError');
    expect(sb.lambdas.invocations().filter((i) => i.functionName === 'flaky')).toHaveLength(2);
  });

  it('answers with the service errors the SDK knows', async () => {
    await expect(
      sfn.send(
        new CreateStateMachineCommand({
          name: 'bad',
          definition: '{"StartAt":"X","States":{}}',
          roleArn: ROLE,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'bad name!', definition: '{}', roleArn: ROLE })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:nope:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('starting the same execution name twice with other input is ExecutionAlreadyExists', async () => {
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'once', definition, roleArn: ROLE }),
    );
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'gameday-1', input: '{"a":1}' }),
    );
    await settle(sfn, first.executionArn!);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'gameday-1', input: '{"a":2}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('describes the state machine an execution ran, as it was when it started', async () => {
    const before = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'changing', definition: before, roleArn: ROLE }),
    );
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'first' }));
    await settle(sfn, first.executionArn!);
    const after = JSON.stringify({ StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } });
    await sb.clock.advance(60_000);
    const { updateDate } = await sfn.send(
      new UpdateStateMachineCommand({ stateMachineArn, definition: after }),
    );
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'second' }));

    const ran = await sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: first.executionArn }),
    );
    expect(ran).toMatchObject({ stateMachineArn, name: 'changing', definition: before, roleArn: ROLE });
    const runs = await sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: second.executionArn }),
    );
    expect(runs).toMatchObject({ definition: after, updateDate });
    await expect(
      sfn.send(
        new DescribeStateMachineForExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:changing:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('stops a running execution', async () => {
    let release: () => void = () => {};
    sb.lambdas.register('slow', () => new Promise((r) => (release = () => r({}))));
    const definition = JSON.stringify({
      StartAt: 'Slow',
      States: { Slow: { Type: 'Task', Resource: arnOf('slow'), End: true } },
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'stoppable', definition, roleArn: ROLE }),
    );
    const run = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'run', input: '{}' }));
    await sfn.send(
      new StopExecutionCommand({ executionArn: run.executionArn!, error: 'Operator', cause: 'manual stop' }),
    );
    release();
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: run.executionArn! }));
    expect(d.status).toBe('ABORTED');
    expect(d.error).toBe('Operator');
  });
});
