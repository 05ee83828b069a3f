import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH, VirtualClock } from '../../sandbox/clock.ts';
import { HttpActivity, playWhenIdle } from '../../sandbox/idle.ts';
import { Sandbox } from '../../sandbox/sandbox.ts';

/**
 * The in-process mode a game day runs in: the process's own timers are the sandbox's virtual clock,
 * and time jumps ahead whenever nothing is in flight, so an hour of Wait states takes no real hour.
 */
describe('virtual time, as fast as possible', () => {
  let sb: Sandbox;
  let stop: () => void;
  let http: HttpActivity;
  const realNow = performance.now();

  beforeAll(async () => {
    const clock = VirtualClock.installGlobal();
    sb = await Sandbox.create({ clock });
    await sb.listen(0);
    http = new HttpActivity();
    stop = playWhenIdle(clock, () => http.inFlight > 0 || sb.requestsInFlight > 0 || sb.lambdas.inFlight > 0);
  });
  afterAll(async () => {
    stop();
    http.dispose();
    await sb.close();
    sb.clock.dispose();
  });

  it('plays an hour of Wait states and world time in well under a real minute, on one virtual clock', async () => {
    const seen: number[] = [];
    sb.lambdas.register('stamp', async () => {
      seen.push(Date.now());
      return {};
    });
    const sfn = new SFNClient({
      endpoint: sb.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
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
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(3_600_000);
    expect(seen[1]! - seen[0]!).toBeLessThan(3_660_000);
    expect(seen[0]!).toBeGreaterThanOrEqual(DEFAULT_EPOCH);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const waited = history.events!.find((e) => e.type === 'WaitStateExited')!.timestamp!.getTime();
    const entered = history.events!.find((e) => e.type === 'WaitStateEntered')!.timestamp!.getTime();
    expect(waited - entered).toBe(3_600_000);
    // The real time this took is not asserted here (benchmarks measure speed); only that the
    // process's clock is the virtual one, far from the real start.
    expect(performance.now() - realNow).toBeGreaterThan(0);
    sfn.destroy();
  });
});
