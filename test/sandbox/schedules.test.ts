import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { scheduleTarget } from '../../sandbox/deploy/deploy.ts';
import { type ResolvedService, resolveServerless, type ScheduleEvent } from '../../sandbox/deploy/resolve.ts';
import {
  armSchedules,
  compiledInput,
  firingExecutionName,
  scheduleRules,
} from '../../sandbox/deploy/schedules.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { gameDayState } from '../../src/gameday/state.ts';
import { nextFireTime, parseScheduleExpression } from '../../src/time/schedule-expression.ts';

const require = createRequire(import.meta.url);
const resolver = require('../../state-machines/schedules.cjs') as {
  scheduleEvents(projectDir: string, names: { service: string; stage: string }): ScheduleEventOut[];
};
interface ScheduleEventOut {
  schedule: { name: string; description: string; rate: string; enabled: boolean; input: string };
}

const utc = (iso: string) => Date.parse(iso);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** The next `n` fire times after `from` (a rate counting from `from`, as if its rule were created then). */
function fireTimes(expression: string, from: string, n = 2): (string | undefined)[] {
  const schedule = parseScheduleExpression(expression);
  const out: (string | undefined)[] = [];
  let after: number | undefined = utc(from);
  for (let i = 0; i < n; i++) {
    after = after === undefined ? undefined : nextFireTime(schedule, after, utc(from));
    out.push(iso(after));
  }
  return out;
}

describe('EventBridge schedule expressions', () => {
  // 2026-01-05 is a Monday.
  it.each([
    [
      'cron(0 10 ? * TUE *)',
      '2026-01-05T09:00:00Z',
      ['2026-01-06T10:00:00.000Z', '2026-01-13T10:00:00.000Z'],
    ],
    // EventBridge numbers the days from 1 = SUN, like Quartz (3 is Tuesday, not Wednesday).
    ['cron(0 10 ? * 3 *)', '2026-01-05T09:00:00Z', ['2026-01-06T10:00:00.000Z', '2026-01-13T10:00:00.000Z']],
    [
      'cron(0 12 ? * MON-FRI *)',
      '2026-01-09T13:00:00Z',
      ['2026-01-12T12:00:00.000Z', '2026-01-13T12:00:00.000Z'],
    ],
    [
      'cron(0/15 * * * ? *)',
      '2026-01-05T09:07:00Z',
      ['2026-01-05T09:15:00.000Z', '2026-01-05T09:30:00.000Z'],
    ],
    ['cron(30 8 1 * ? *)', '2026-01-05T09:00:00Z', ['2026-02-01T08:30:00.000Z', '2026-03-01T08:30:00.000Z']],
    ['cron(0 10 L * ? *)', '2026-01-05T09:00:00Z', ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z']],
    [
      'cron(0 10 ? * TUE#2 *)',
      '2026-01-05T09:00:00Z',
      ['2026-01-13T10:00:00.000Z', '2026-02-10T10:00:00.000Z'],
    ],
    ['cron(0 18 ? * 6L *)', '2026-01-05T09:00:00Z', ['2026-01-30T18:00:00.000Z', '2026-02-27T18:00:00.000Z']],
    // The year field: this one fires once, then never again.
    ['cron(0 0 1 1 ? 2027)', '2026-01-05T09:00:00Z', ['2027-01-01T00:00:00.000Z', undefined]],
    [
      'cron(0 9 ? JAN,MAR MON 2026-2027)',
      '2026-01-27T00:00:00Z',
      ['2026-03-02T09:00:00.000Z', '2026-03-09T09:00:00.000Z'],
    ],
  ])('%s after %s fires at %j', (expression, from, expected) => {
    expect(fireTimes(expression, from)).toEqual(expected);
  });

  it('fires strictly after the given time: at a fire time, the next one', () => {
    const tuesdays = parseScheduleExpression('cron(0 10 ? * TUE *)');
    expect(iso(nextFireTime(tuesdays, utc('2026-01-06T10:00:00Z'), 0))).toBe('2026-01-13T10:00:00.000Z');
  });

  it.each([
    ['rate(1 minute)', ['2026-01-05T09:01:00.000Z', '2026-01-05T09:02:00.000Z']],
    ['rate(5 minutes)', ['2026-01-05T09:05:00.000Z', '2026-01-05T09:10:00.000Z']],
    ['rate(2 hours)', ['2026-01-05T11:00:00.000Z', '2026-01-05T13:00:00.000Z']],
    ['rate(1 day)', ['2026-01-06T09:00:00.000Z', '2026-01-07T09:00:00.000Z']],
    ['rate(7 days)', ['2026-01-12T09:00:00.000Z', '2026-01-19T09:00:00.000Z']],
  ])('%s counts from when its rule was created', (expression, expected) => {
    expect(fireTimes(expression, '2026-01-05T09:00:00Z')).toEqual(expected);
  });

  it('keeps a rate on its own beat, whatever time it is asked at', () => {
    const every5 = parseScheduleExpression('rate(5 minutes)');
    const created = utc('2026-01-05T09:00:30Z');
    expect(iso(nextFireTime(every5, utc('2026-01-05T09:12:00Z'), created))).toBe('2026-01-05T09:15:30.000Z');
  });

  it.each([
    ['cron(0 10 * * * *)', "exactly one of day-of-month and day-of-week must be '?'"],
    ['cron(0 10 ? * ? *)', "exactly one of day-of-month and day-of-week must be '?'"],
    ['cron(0 10 ? * TUE)', 'cron takes six fields'],
    ['cron(0 ? 1 * ? *)', "'?' belongs in day-of-month or day-of-week, not hours"],
    ['cron(61 10 ? * TUE *)', 'is not an EventBridge schedule expression'],
    ['rate(1 minutes)', 'a value of 1 takes the singular: rate(1 minute)'],
    ['rate(5 minute)', 'a value over 1 takes the plural: rate(5 minutes)'],
    ['rate(0 minutes)', 'the rate must be a positive number'],
    ['rate(30 seconds)', 'a rate is rate(<n> minute|minutes|hour|hours|day|days)'],
    ['every tuesday', 'write cron(...) or rate(...)'],
  ])('refuses %s: %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});

describe('schedules generated from the experiment files', () => {
  let service: ResolvedService;
  const dirs: string[] = [];
  beforeAll(async () => {
    service = await resolveServerless(PROJECT_DIR);
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** A project folder holding only these experiment files. */
  async function projectWith(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-schedules-'));
    dirs.push(dir);
    await mkdir(join(dir, 'experiments'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'experiments', name), text);
    return dir;
  }

  it('serverless print gives the game day one schedule event per scheduled experiment', async () => {
    const events = service.stepFunctions?.stateMachines?.gameday?.events ?? [];
    // az-outage has a schedule; instance-kill has none.
    expect(events).toEqual(resolver.scheduleEvents(PROJECT_DIR, { service: 'faultline', stage: 'dev' }));
    expect(events).toHaveLength(1);
    const schedule = events[0]!.schedule as ScheduleEventOut['schedule'];
    expect(schedule).toMatchObject({
      name: 'faultline-dev-az-outage',
      rate: 'cron(0 10 ? * TUE *)',
      enabled: true,
    });
    // The input the rule carries: the file as written, and who asked; the run's id is its execution name.
    const written = parse(await readFile(join(PROJECT_DIR, 'experiments', 'az-outage.yaml'), 'utf8'));
    const input = JSON.parse(compiledInput(schedule.input, 'az-outage'));
    expect(input).toEqual({ experiment: written, requestedBy: 'schedule' });
    expect(gameDayState.parse({ ...input, gamedayId: 'from-the-execution-name' }).experiment.name).toBe(
      'az-outage',
    );
  });

  it('carries any text through the plugin: quotes, backslashes, new lines', async () => {
    const shipped = await readFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'), 'utf8');
    const text = shipped.replace(
      /^description: .*$/m,
      'description: |\n  Kill one "checkout" instance \\ on purpose;\n  a second line, and ünïcode.',
    );
    const dir = await projectWith({ 'instance-kill.yaml': `${text}\nschedule: rate(1 day)\n` });
    const [event] = resolver.scheduleEvents(dir, { service: 'faultline', stage: 'prod' });
    expect(event!.schedule.name).toBe('faultline-prod-instance-kill');
    const input = JSON.parse(compiledInput(event!.schedule.input, 'instance-kill'));
    expect(input.experiment).toEqual(parse(`${text}\nschedule: rate(1 day)\n`));
    expect(input.experiment.description).toBe(
      'Kill one "checkout" instance \\ on purpose;\na second line, and ünïcode.\n',
    );
  });

  it('refuses a schedule EventBridge would refuse, naming the file, the field and the line', async () => {
    const shipped = await readFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'), 'utf8');
    const dir = await projectWith({ 'instance-kill.yaml': `${shipped}\nschedule: cron(0 10 * * * *)\n` });
    const lines = shipped.split('\n').length + 1;
    expect(() => resolver.scheduleEvents(dir, { service: 'faultline', stage: 'dev' })).toThrow(
      `experiments/instance-kill.yaml: schedule: must be an EventBridge schedule expression: exactly one of day-of-month and day-of-week must be '?' (got 'cron(0 10 * * * *)') (line ${lines})`,
    );
  });

  it('names every firing within 80 characters, the same way every run', () => {
    const long = `faultline-production-${'x'.repeat(43)}`;
    const name = firingExecutionName(long, utc('2026-01-06T10:00:00Z'));
    expect(name).toHaveLength(79);
    expect(name.endsWith('-20260106T1000Z')).toBe(true);
    expect(firingExecutionName('faultline-dev-az-outage', utc('2026-01-06T10:00:42Z'))).toBe(
      'faultline-dev-az-outage-20260106T1000Z',
    );
  });
});

describe('schedules in the sandbox', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocal({ seed: 3, start: DEFAULT_EPOCH, time: 'manual' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The events the deployed openIncident function is called with; it never answers, so the run goes no further. */
  function holdOpenIncident(): Promise<Record<string, unknown>> {
    return new Promise((received) => {
      stack.sandbox.lambdas.register(stack.deployment.functions.openIncident!, (event) => {
        received(event as Record<string, unknown>);
        return new Promise(() => {});
      });
    });
  }

  async function executions() {
    const out = await client('sfn').send(
      new ListExecutionsCommand({ stateMachineArn: stack.deployment.stateMachines.gameday }),
    );
    return out.executions ?? [];
  }

  it('arms the shipped az-outage schedule for its next Tuesday 10:00 UTC', () => {
    // The stack's clock starts on Monday 2026-01-05 at 09:00 UTC.
    expect(stack.clock.date().toISOString()).toBe('2026-01-05T09:00:00.000Z');
    expect(stack.deployment.schedules.map((s) => [s.rule.name, iso(s.nextAt)])).toEqual([
      ['faultline-dev-az-outage', '2026-01-06T10:00:00.000Z'],
    ]);
  });

  it('starts a game day at the fire time, with the execution name as its gamedayId', async () => {
    // The deployed schedule as serverless print gives it, made to fire once, a minute from now.
    const service = structuredClone(await resolveServerless(PROJECT_DIR));
    const gameday = service.stepFunctions!.stateMachines!.gameday!;
    const shipped = gameday.events![0]!.schedule as Exclude<ScheduleEvent, string>;
    gameday.events = [{ schedule: { ...shipped, rate: 'cron(1 9 5 1 ? 2026)' } }];
    const [armed] = armSchedules(
      scheduleRules(service, stack.sandbox.world),
      scheduleTarget(stack.sandbox, stack.deployment.stateMachines),
      stack.clock.now(),
    );
    const opened = holdOpenIncident();

    await stack.clock.advance(59_000);
    expect(armed!.firings).toEqual([]);
    expect(await executions()).toEqual([]);

    await stack.clock.advance(1_000);
    expect(armed!.firings).toHaveLength(1);
    await armed!.firings[0]!.settled;
    expect(armed!.firings[0]!.error).toBeUndefined();
    expect(armed!.nextAt).toBeUndefined();
    const [execution, ...others] = await executions();
    expect(others).toEqual([]);
    expect(execution!.name).toBe('faultline-dev-az-outage-20260105T0901Z');
    expect(execution!.startDate!.toISOString()).toBe('2026-01-05T09:01:00.000Z');

    const sfn = client('sfn');
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution!.executionArn }));
    expect(JSON.parse(described.input!)).toEqual(JSON.parse(compiledInput(shipped.input, 'gameday')));
    const document = await opened;
    expect(document).toMatchObject({ gamedayId: execution!.name, requestedBy: 'schedule' });
    expect(gameDayState.parse(document).experiment.name).toBe('az-outage');
    await sfn.send(new StopExecutionCommand({ executionArn: execution!.executionArn }));
  });

  it('keeps the gamedayId of a game day started with one', async () => {
    const opened = holdOpenIncident();
    const input = {
      gamedayId: 'az-outage-20260105T0905Z',
      experiment: { name: 'az-outage' },
      requestedBy: 'me',
    };
    const { executionArn } = await client('sfn').send(
      new StartExecutionCommand({
        stateMachineArn: stack.deployment.stateMachines.gameday,
        name: 'some-other-name',
        input: JSON.stringify(input),
      }),
    );
    expect(await opened).toEqual(input);
    await client('sfn').send(new StopExecutionCommand({ executionArn }));
  });
});
