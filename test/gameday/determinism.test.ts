import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { runCli, startSandboxProcess } from '../helpers/cli.ts';

/**
 * Virtual time models AWS's time: work in flight takes none of it and is never billed at the speed
 * factor, so the pace a game day is played at, and how busy the machine is, change how long it
 * takes to watch, never what it finds.
 */
describe('one seed, one game day, whatever the pace and the load', () => {
  let dir: string;
  const burners: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-determinism-'));
  });
  afterAll(async () => {
    for (const b of burners) b.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs instance-kill in a sandbox of its own at a pace, and returns its report.json. */
  async function gameDay(name: string, pace: string[]): Promise<{ report: unknown; stdout: string }> {
    const r = await runCli(
      [
        'gameday',
        'instance-kill',
        ...pace,
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
    const [incident] = await readdir(join(dir, name, 'reports'));
    const report = JSON.parse(await readFile(join(dir, name, 'reports', incident!, 'report.json'), 'utf8'));
    return { report, stdout: r.stdout };
  }

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
  }, 300_000);

  it('runs a game day against a sandbox playing at 600x without a step timing out', async () => {
    // The run from the issue: every step of this game day used to fail with States.Timeout.
    const sandbox = await startSandboxProcess(
      ['--port', '0', '--fresh', '--speed', '600', '--state-dir', join(dir, 'remote', 'state')],
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
      expect(r.stdout).toContain('game day complete');
      expect(r.code).toBe(0);
    } finally {
      await sandbox.stop();
    }
  }, 300_000);
});
