import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { runCli, startSandboxProcess } from '../helpers/cli.ts';

interface Verdict {
  hypothesis: string;
  rto: { met: boolean | null };
  faultStopped: boolean;
  experiment: { finalStatus: string };
}

/**
 * Virtual time models AWS's time: work in flight takes none of it and is never billed at the speed
 * factor, so the pace a game day is played at, and how busy the machine is, change how long it
 * takes to watch, never what it finds; and an AWS that throttles, fails and slows some of its
 * calls delays faultline, never defeats it.
 */
describe('one seed, one game day, whatever the pace, the load and the throttling', () => {
  let dir: string;
  const burners: ChildProcess[] = [];
  let baseline: { report: { verdict: Verdict } } | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-determinism-'));
  });
  afterAll(async () => {
    for (const b of burners) b.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs instance-kill in a sandbox of its own with these flags, and returns its report.json. */
  async function gameDay(
    name: string,
    flags: string[],
  ): Promise<{ report: { verdict: Verdict }; stdout: string; stderr: string }> {
    const r = await runCli(
      [
        'gameday',
        'instance-kill',
        ...flags,
        '--seed',
        '7',
        '--fresh',
        '--state-dir',
        join(dir, name, 'state'),
        '--out',
        join(dir, name, 'reports'),
      ],
      { cwd: PROJECT_DIR },
    );
    expect(r.code, r.stderr).toBe(0);
    return { report: await reportIn(join(dir, name, 'reports')), stdout: r.stdout, stderr: r.stderr };
  }

  async function reportIn(folder: string) {
    const [incident] = await readdir(folder);
    return JSON.parse(await readFile(join(folder, incident!, 'report.json'), 'utf8'));
  }

  /** What a person acts on: the hypothesis, whether the RTO was met, whether the fault stopped. */
  const verdictOf = (v: Verdict) => ({
    hypothesis: v.hypothesis,
    rtoMet: v.rto.met,
    faultStopped: v.faultStopped,
    experiment: v.experiment.finalStatus,
  });

  it('writes the same report.json played as fast as possible, at 60x, 600x and 3600x, beside two CPU burners', async () => {
    // Two processes that each keep a core busy, as a CI machine running other jobs does.
    for (let i = 0; i < 2; i++) {
      burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    }
    const [fast, ...paced] = await Promise.all([
      gameDay('fast', []),
      gameDay('x60', ['--speed', '60']),
      gameDay('x600', ['--speed', '600']),
      gameDay('x3600', ['--speed', '3600']),
    ]);
    for (const b of burners) b.kill('SIGKILL');
    // Something happened worth comparing: a fault, an alarm, a remediation.
    expect(fast!.stdout).toContain('Remediation: unhealthy-hosts');
    for (const run of paced) expect(run.report).toEqual(fast!.report);
    baseline = fast;
  }, 300_000);

  it('reaches the same verdict with 20 % of the API calls throttled (and some failed and slowed), fast and at 600x', async () => {
    const faults = ['--throttle', '0.2', '--fail', '0.05', '--slow', '0.05'];
    const runs = await Promise.all([
      gameDay('throttled-fast', faults),
      gameDay('throttled-x600', [...faults, '--speed', '600']),
    ]);
    for (const run of runs) {
      // The faults were there, and faultline rode them out: a back-off moves the game day on by
      // seconds at most, so the verdict a person acts on is the one of an AWS without faults.
      expect(run.stderr).toMatch(/the sandbox throttled [1-9][\d,]*, failed [1-9][\d,]*/);
      expect(verdictOf(run.report.verdict)).toEqual(verdictOf(baseline!.report.verdict));
    }
  }, 300_000);

  it('runs a game day against a sandbox that plays at 600x and throttles, without a step timing out or the command giving up', async () => {
    // The run from the issue: every step of this game day used to fail with States.Timeout; and a
    // throttled poll used to end the command while the game day went on without it.
    const sandbox = await startSandboxProcess(
      [
        '--port',
        '0',
        '--fresh',
        '--speed',
        '600',
        '--throttle',
        '0.2',
        '--state-dir',
        join(dir, 'remote', 'state'),
      ],
      PROJECT_DIR,
    );
    try {
      const r = await runCli(
        [
          'gameday',
          '--template',
          'examples/fis-template/reboot-one.json',
          '--spec',
          'examples/fis-template/reboot-one.side.yaml',
          '--endpoint',
          sandbox.endpoint,
          '--out',
          join(dir, 'remote', 'reports'),
        ],
        { cwd: PROJECT_DIR },
      );
      expect(r.stdout).not.toContain('FAILED');
      expect(r.stderr).not.toContain('Rate exceeded');
      expect(r.stdout).toContain('game day complete');
      expect(r.code).toBe(0);
    } finally {
      await sandbox.stop();
    }
    expect(sandbox.stderr()).toMatch(
      /faultline sandbox: throttled [1-9][\d,]*, failed 0 and slowed 0 of its/,
    );
  }, 300_000);
});
