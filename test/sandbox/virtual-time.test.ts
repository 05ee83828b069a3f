import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH, VirtualClock } from '../../sandbox/clock.ts';
import { HttpActivity, type Pace, playTime } from '../../sandbox/idle.ts';
import { Sandbox } from '../../sandbox/sandbox.ts';

/**
 * The modes a game day runs in: the process's own timers are the sandbox's virtual clock, which
 * moves only while nothing runs, either as fast as possible or at a speed. Work in flight (a
 * handler computing, a request) takes no virtual time, whatever the speed; work waiting on the
 * clock (an SDK back-off) lets it move.
 */
describe.each<Pace>(['fast', 600])('virtual time played %s', (pace) => {
  let sb: Sandbox;
  let stop: () => void;
  let http: HttpActivity;
  let sfn: SFNClient;
  const realNow = performance.now();

  beforeAll(async () => {
    const clock = VirtualClock.installGlobal();
    sb = await Sandbox.create({ clock });
    await sb.listen(0);
    http = new HttpActivity();
    stop = playTime(clock, () => http.inFlight > 0 || sb.requestsInFlight > 0 || clock.workRunning > 0, pace);
    sfn = new SFNClient({
      endpoint: sb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(async () => {
    sfn.destroy();
    stop();
    http.dispose();
    await sb.close();
    sb.clock.dispose();
  });

  /** Runs a one-task state machine to its end and returns its status and history. */
  async function runTask(name: string, fn: string, extra: Record<string, unknown> = {}) {
    const definition = JSON.stringify({
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: sb.lambdas.functionArn(fn), End: true, ...extra } },
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name, definition, roleArn: 'arn:aws:iam::123456789012:role/x' }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 1_000));
      status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status!;
    }
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const at = (type: string) => events!.find((e) => e.type === type)?.timestamp?.getTime();
    return { status, events: events as HistoryEvent[], at };
  }

  /** Computes for `ms` of real time, yielding to the event loop in between, as a handler's work does. */
  async function compute(ms: number) {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const slice = performance.now() + 10;
      while (performance.now() < slice) {
        // busy
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  it('plays an hour of Wait states and world time on one virtual clock', async () => {
    const seen: number[] = [];
    sb.lambdas.register('stamp', async () => {
      seen.push(Date.now());
      return {};
    });
    const definition = JSON.stringify({
      StartAt: 'Before',
      States: {
        Before: { Type: 'Task', Resource: sb.lambdas.functionArn('stamp'), Next: 'Hour' },
        Hour: { Type: 'Wait', Seconds: 3600, Next: 'After' },
        After: { Type: 'Task', Resource: sb.lambdas.functionArn('stamp'), End: true },
      },
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'hour',
        definition,
        roleArn: 'arn:aws:iam::123456789012:role/x',
      }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 30_000));
      status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status!;
    }
    expect(status).toBe('SUCCEEDED');
    expect(seen).toHaveLength(2);
    expect(seen[1]! - seen[0]!).toBe(3_600_000);
    expect(seen[0]!).toBeGreaterThanOrEqual(DEFAULT_EPOCH);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const waited = history.events!.find((e) => e.type === 'WaitStateExited')!.timestamp!.getTime();
    const entered = history.events!.find((e) => e.type === 'WaitStateEntered')!.timestamp!.getTime();
    expect(waited - entered).toBe(3_600_000);
    // Only that the process's clock is the virtual one; benchmarks measure speed.
    expect(performance.now() - realNow).toBeGreaterThan(0);
  });

  it("bills a handler's compute no virtual time, and never times it out for it", async () => {
    // 300 ms of real compute: at 600x, billed at the speed factor, that would be 3 virtual minutes.
    sb.lambdas.register('compute', async () => {
      await compute(300);
      return { done: true };
    });
    const run = await runTask('compute', 'compute');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.at('TaskSucceeded')! - run.at('TaskScheduled')!).toBe(0);
  });

  it('moves time on to a back-off the handler waits on, rather than waiting for the handler', async () => {
    // What the SDK does on a throttled call: wait on a timer, inside the handler, then try again.
    sb.lambdas.register(
      'backoff',
      async () => {
        await new Promise((r) => setTimeout(r, 20_000));
        await compute(20);
        return { done: true };
      },
      { timeoutSeconds: 60 },
    );
    const run = await runTask('backoff', 'backoff');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.at('TaskSucceeded')! - run.at('TaskScheduled')!).toBe(20_000);
  });

  it("times a handler out on the real time its compute took, as Lambda does, with Lambda's error", async () => {
    sb.lambdas.register(
      'slow',
      async () => {
        await compute(1_500);
        return { done: true };
      },
      { timeoutSeconds: 1 },
    );
    const run = await runTask('slow', 'slow');
    expect(run.status).toBe('FAILED');
    const failed = run.events.find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails?.error).toBe('Sandbox.Timedout');
    expect(failed?.taskFailedEventDetails?.cause).toContain('Task timed out after 1.00 seconds');
  });

  it('times a handler out on the virtual time it spent waiting, too', async () => {
    sb.lambdas.register(
      'patient',
      async () => {
        await new Promise((r) => setTimeout(r, 30_000));
        return { done: true };
      },
      { timeoutSeconds: 10 },
    );
    const run = await runTask('patient', 'patient');
    expect(run.status).toBe('FAILED');
    expect(run.events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails?.error).toBe(
      'Sandbox.Timedout',
    );
    expect(run.at('TaskFailed')! - run.at('TaskScheduled')!).toBe(10_000);
  });

  it("measures a Lambda task's TimeoutSeconds the same way, and leaves a task without one untimed", async () => {
    sb.lambdas.register(
      'long',
      async () => {
        await new Promise((r) => setTimeout(r, 90_000));
        return { done: true };
      },
      { timeoutSeconds: 900 },
    );
    // The interpreter's own default (60 s) is not AWS's: a task without TimeoutSeconds is not timed.
    const untimed = await runTask('untimed', 'long');
    expect(untimed.status).toBe('SUCCEEDED');
    const timed = await runTask('timed', 'long', { TimeoutSeconds: 45 });
    expect(timed.status).toBe('FAILED');
    expect(timed.at('TaskTimedOut')! - timed.at('TaskScheduled')!).toBe(45_000);
  });
});
