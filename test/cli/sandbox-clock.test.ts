import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { handOverTime, PROJECT_DIR } from '../../sandbox/local.ts';
import { nextAllowedMoment } from '../../src/gameday/window.ts';
import { runCli, startSandboxProcess } from '../helpers/cli.ts';

const PARAMETER = '/faultline/dev/remediation';

function ssmAt(endpoint: string): SSMClient {
  return new SSMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
}

describe("the sandbox's clock", () => {
  it('is handed over at the real time now, rounded up to the minute, unless pinned or the state is later', async () => {
    const now = Date.parse('2026-12-05T04:52:37.123Z');
    expect(await handOverTime({ now })).toBe(Date.parse('2026-12-05T04:53:00Z'));
    expect(await handOverTime({ now, start: Date.parse('2026-01-05T09:00:00Z') })).toBe(
      Date.parse('2026-01-05T09:00:00Z'),
    );
  });

  it('finds the next moment an experiment may run, across a weekend and in its own time zone', () => {
    const weekdays = [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' },
    ];
    // Saturday 2026-12-05 04:53 UTC → Monday 09:00 in Paris, 08:00 UTC.
    expect(nextAllowedMoment(weekdays as never, new Date('2026-12-05T04:53:00Z'))?.toISOString()).toBe(
      '2026-12-07T08:00:00.000Z',
    );
    const inside = new Date('2026-12-07T10:30:00Z');
    expect(nextAllowedMoment(weekdays as never, inside)).toBe(inside);
    const never = [{ days: ['mon'], from: '09:00', to: '09:00', timezone: 'UTC' }];
    expect(nextAllowedMoment(never as never, inside)).toBeUndefined();
  });
});

describe('faultline gameday and its sandbox (process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-clock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts an unpinned game day at the next moment its windows allow, and says so', async () => {
    const experiment = parse(await readFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'), 'utf8'));
    // A window that has just closed, wherever the real clock is: the next one opens a week later.
    const lastHour = new Date(Date.now() - 3_600_000);
    const day = lastHour.toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' }).toLowerCase();
    const from = lastHour.toISOString().slice(11, 13);
    experiment.guardrails = {
      ...experiment.guardrails,
      windows: [{ days: [day], from: `${from}:00`, to: `${from}:01` }],
    };
    const file = join(dir, 'windowed.yaml');
    await writeFile(file, stringify(experiment));
    const r = await runCli(
      ['gameday', file, '--dry-run', '--json', '--fresh', '--state-dir', join(dir, 'windowed')],
      { cwd: PROJECT_DIR, env: { FAULTLINE_START: undefined } },
    );
    expect(r.stderr).toMatch(
      /is outside instance-kill's allowed windows \(guardrails\.windows\): the sandbox starts at the next allowed moment, \w{3} \d{4}-\d\d-\d\d \d\d:00 UTC/,
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('completed');
    // Named by the moment it ran: the window's next opening, six or seven days on.
    const ran = /-(\d{8}T\d{4})Z$/.exec(summary.incidentId)![1]!;
    const at = Date.parse(
      `${ran.slice(0, 4)}-${ran.slice(4, 6)}-${ran.slice(6, 8)}T${ran.slice(9, 11)}:${ran.slice(11)}:00Z`,
    );
    expect(at - Date.now()).toBeGreaterThan(5 * 86_400_000);
  }, 120_000);

  it('puts the remediation switch back after a game day run with --remediation off, and says it was off', async () => {
    const state = join(dir, 'switch');
    const r = await runCli(
      [
        'gameday',
        'instance-kill',
        '--remediation',
        'off',
        '--json',
        '--fresh',
        '--state-dir',
        state,
        '--out',
        join(dir, 'reports'),
      ],
      { cwd: PROJECT_DIR },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('auto-remediation is OFF for this game day (--remediation off');
    expect(JSON.parse(r.stdout).remediations).toEqual([]);
    const sandbox = await startSandboxProcess(['--port', '0', '--state-dir', state], PROJECT_DIR);
    try {
      const ssm = ssmAt(sandbox.endpoint);
      const value = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter?.Value;
      ssm.destroy();
      expect(value).toBe('on');
      expect(sandbox.stderr()).not.toContain('remediation switch');
    } finally {
      await sandbox.stop();
    }
  }, 120_000);

  it('puts the switch back at the next start when a game day that switched it was cut short', async () => {
    const state = join(dir, 'cut-short');
    // What a run killed mid-way leaves: the switch off, and the marker naming what it was.
    let sandbox = await startSandboxProcess(['--port', '0', '--fresh', '--state-dir', state], PROJECT_DIR);
    const ssm = ssmAt(sandbox.endpoint);
    await ssm.send(
      new PutParameterCommand({ Name: PARAMETER, Value: 'off', Type: 'String', Overwrite: true }),
    );
    ssm.destroy();
    await sandbox.stop();
    await writeFile(
      join(state, 'remediation-override.json'),
      JSON.stringify({ parameter: PARAMETER, previous: 'on' }),
    );

    sandbox = await startSandboxProcess(['--port', '0', '--state-dir', state], PROJECT_DIR);
    try {
      expect(sandbox.stderr()).toContain(
        `the remediation switch ${PARAMETER} is back to 'on': a game day run with --remediation was cut short`,
      );
      const again = ssmAt(sandbox.endpoint);
      expect((await again.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter?.Value).toBe('on');
      again.destroy();
    } finally {
      await sandbox.stop();
    }
  }, 120_000);

  it('refuses --remediation with a running sandbox, naming the switch to set, before anything starts', async () => {
    const r = await runCli(
      ['gameday', 'instance-kill', '--remediation', 'off', '--endpoint', 'http://127.0.0.1:9'],
      {
        cwd: PROJECT_DIR,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`set the switch itself: the SSM parameter ${PARAMETER} ('on' or 'off')`);
  });

  it('resumes a saved state after its own time, whatever --start says, so its clock never goes back', async () => {
    const sandbox = await startSandboxProcess(
      ['--port', '0', '--state-dir', join(dir, 'switch'), '--start', '2025-01-01T00:00:00Z'],
      PROJECT_DIR,
    );
    try {
      // The state was saved at 09:xx on 2026-01-05 (the tests' pinned time): it resumes on the next hour.
      expect(sandbox.stderr()).toMatch(/virtual time from 2026-01-05T1\d:00:00.000Z/);
    } finally {
      await sandbox.stop();
    }
  }, 120_000);
});
