import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { FAULTLINE_BIN, type RunningSandbox, runCli, startSandboxProcess } from '../helpers/cli.ts';

/**
 * The regional failover drill as people run it, three processes like three terminals:
 * `faultline sandbox` playing virtual time at 20x, `faultline gameday region-outage --endpoint`,
 * and `faultline approve` typed when the game day says an approval waits. The primary region goes
 * dark, the primary health check fails, the failover runbook asks, the person approves, the
 * standby's database is promoted and DNS moved, and the standby serves the traffic. (The rejected
 * and unanswered drills run in-process: test/gameday/region-drill.test.ts.)
 */
describe('the regional failover drill, approved from the command line', () => {
  let dir: string;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-region-drill-'));
    sandbox = await startSandboxProcess(
      // The answer takes real seconds (a process starts): at 20x five of them are under two virtual
      // minutes, well inside the RTO; at 60x a slow machine's answer alone could spend it.
      ['--port', '0', '--state-dir', join(dir, 'state'), '--speed', '20'],
      PROJECT_DIR,
    );
  });
  afterAll(async () => {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('promotes the standby and moves DNS to it once a person approves: RTO met, RPO measured', async () => {
    const gameday = spawn(
      process.execPath,
      [
        FAULTLINE_BIN,
        'gameday',
        'region-outage',
        '--endpoint',
        sandbox.endpoint,
        '--out',
        join(dir, 'reports'),
      ],
      { cwd: PROJECT_DIR },
    );
    let stdout = '';
    let stderr = '';
    gameday.stderr.on('data', (d) => {
      stderr += d;
    });
    const approveCommand = new Promise<string[]>((resolve) => {
      gameday.stdout.on('data', (d) => {
        stdout += d;
        const m = /answer: faultline (approve \S+.*?) {2}/.exec(stdout);
        if (m) resolve(m[1]!.split(/\s+/));
      });
    });
    const exited = new Promise<number | null>((resolve) => gameday.on('close', resolve));

    const approve = await Promise.race([
      approveCommand,
      exited.then((code) => {
        throw new Error(`the game day ended (${code}) without asking for approval:\n${stdout}\n${stderr}`);
      }),
    ]);
    expect(approve).toEqual([
      'approve',
      expect.stringMatching(/^region-outage-/),
      '--endpoint',
      sandbox.endpoint,
    ]);
    const answered = await runCli([...approve, '--author', 'on-call', '--note', 'drill: go'], {
      cwd: PROJECT_DIR,
    });
    expect(answered.stderr).toBe('');
    expect(answered.code).toBe(0);
    expect(answered.stdout).toMatch(
      /^Approved Faultline-RegionFailover on checkout\.example\.com\. \(runbook primary-region-failover\) .* as on-call/,
    );

    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Remediation: primary-region-failover \(Faultline-RegionFailover\) resolved/);
    expect(stdout).toMatch(/· RTO 15m00s: met \(recovered in \d+m\d\ds\) ·/);
    // Scaling out inside a region nothing reaches cannot work: listed as failed, not hidden.
    expect(stdout).toMatch(/Remediation: az-capacity \(Faultline-ScaleOut\) failed/);

    const incidentId = approve[1]!;
    // Named by the sandbox's virtual clock (the world's day), like everything on its timeline.
    expect(incidentId).toMatch(/^region-outage-20260105T/);
    const report = JSON.parse(await readFile(join(dir, 'reports', incidentId, 'report.json'), 'utf8')) as {
      events: { kind: string; detail: Record<string, unknown> }[];
      minutes: { sample: { errorRatePercent?: number | null } | null }[];
      objectives: {
        rto: { met: boolean | null; achievedSeconds: number | null };
        rpo: { met: boolean | null; achievedSeconds: number | null; failoverEventId: string | null };
      };
    };
    const kinds = report.events.map(
      (e) => `${e.kind}${e.kind === 'ssm.automation' ? `:${e.detail.document}:${e.detail.status}` : ''}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        'approval.requested',
        'approval.given',
        'remediation.action',
        'ssm.automation:Faultline-RegionFailover:Success',
        'remediation.verify',
        'remediation.resolved',
      ]),
    );
    // Served from the standby while the primary is still lost: recovered within the RTO from the
    // impact, and the writes the promotion gave up measured (the standby's lag, a fraction of a second).
    expect(report.objectives.rto.met).toBe(true);
    expect(report.objectives.rto.achievedSeconds).toBeLessThan(15 * 60);
    expect(report.objectives.rpo.failoverEventId).toMatch(/^remediation:.*:action:started$/);
    expect(report.objectives.rpo.achievedSeconds).toBeGreaterThan(0);
    expect(report.objectives.rpo.achievedSeconds).toBeLessThan(1);
    expect(report.objectives.rpo.met).toBe(true);

    // Traffic is served again: the last minutes of the drill, served from the standby, are clean.
    const lastRates = report.minutes
      .map((m) => m.sample?.errorRatePercent)
      .filter((r): r is number => typeof r === 'number')
      .slice(-3);
    expect(lastRates.length).toBeGreaterThan(0);
    for (const rate of lastRates) expect(rate).toBeLessThan(5);
  }, 240_000);
});
