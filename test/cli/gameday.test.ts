import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { aliasBomb, volumeLatency } from '../experiments/files.ts';
import { runCli } from '../helpers/cli.ts';

/** `faultline gameday` as a person or a CI pipeline runs it: a separate process, its output, its exit status. */
describe('faultline gameday (process)', () => {
  let dir: string;
  const instanceKill = async () =>
    parse(await readFile(join(PROJECT_DIR, 'experiments', 'instance-kill.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-gameday-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    runCli(
      ['gameday', ...args, '--fresh', '--state-dir', join(dir, 'state'), '--out', join(dir, 'reports')],
      {
        cwd: PROJECT_DIR,
      },
    );

  it('prints one JSON object for scripts, and exits 0 when the fault is stopped', async () => {
    const r = await run(['instance-kill', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      incidentId: expect.stringMatching(/^instance-kill-/),
      status: 'completed',
      faultStopped: true,
      experiment: { id: expect.stringMatching(/^EXP/), finalStatus: 'completed', reason: expect.any(String) },
      verdict: {
        hypothesis: expect.stringMatching(/^(held|deviated)$/),
        injected: true,
        rto: { met: true },
      },
    });
    // Each fact once: the experiment and whether the fault stopped are not repeated in the verdict.
    expect(Object.keys(out.verdict).sort()).toEqual(['hypothesis', 'injected', 'rto']);
    for (const kind of ['markdown', 'html', 'json'] as const) {
      expect(await readFile(out.reports[kind], 'utf8')).not.toHaveLength(0);
    }
  });

  it('refuses a file naming an alarm that does not exist, naming the file and the field, and starts nothing', async () => {
    const spec = await instanceKill();
    (spec.hypothesis as { alarms: string[] }).alarms = ['checkout-5xx-rate', 'checkout-typo'];
    const file = join(dir, 'typo.yaml');
    await writeFile(file, stringify(spec));
    const r = await run([file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `faultline: ${file}: hypothesis.alarms[1]: there is no CloudWatch alarm named 'checkout-typo' in the sandbox world 'checkout'`,
    );
    expect(r.stdout).toBe('');
  });

  describe('refuses a hostile file in one line naming the file, exit 2, and starts nothing', () => {
    const bomb = () => join(dir, 'bomb.yaml');
    const nested = () => join(dir, 'nested.yaml');
    beforeAll(async () => {
      await writeFile(bomb(), aliasBomb());
      // Sparse: its 6 MB are never read.
      await writeFile(nested(), '[[[[');
      await truncate(nested(), 6 * 1024 * 1024);
    });

    it.each<[string, () => string[], () => string]>([
      [
        'an alias bomb',
        () => [bomb()],
        () => `${bomb()}: has more than 100 aliases (*name) or values copied in`,
      ],
      [
        'a 6 MB nested list',
        () => [nested()],
        () => `${nested()}: is 6144 KiB, more than the 128 KiB faultline reads`,
      ],
      [
        'a 6 MB world file',
        () => ['instance-kill', '--world', nested()],
        () => `${nested()}: is 6144 KiB, more than the 128 KiB faultline reads`,
      ],
    ])('%s', async (_, args, start) => {
      const r = await run(args());
      expect(r.code).toBe(2);
      expect(r.stderr.startsWith(`faultline: ${start()}`)).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  });

  it('refuses a template whose action the sandbox does not model in one line that says it runs on AWS, and starts nothing', async () => {
    const latency = volumeLatency();
    const template = join(dir, 'latency.json');
    await writeFile(template, JSON.stringify(latency.template));
    const side = join(dir, 'latency.yaml');
    await writeFile(side, stringify(latency.side));
    const r = await run(['--template', template, '--spec', side]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `faultline: ${template}: actions.slow.actionId: aws:ebs:volume-io-latency is a FIS action the sandbox does not model; it runs on AWS (faultline gameday --aws) (line 1)`,
    );
    expect(r.stdout).toBe('');
  });

  it('exits 3 when preflight refuses, and says nothing was injected', async () => {
    const spec = await instanceKill();
    // The sandbox's game days start on a Monday at 09:00 UTC: a Sunday-only window refuses it.
    spec.guardrails = {
      ...(spec.guardrails as object),
      windows: [{ days: ['sun'], from: '09:00', to: '17:00' }],
    };
    const file = join(dir, 'sunday.yaml');
    await writeFile(file, stringify(spec));
    const r = await run([file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('REFUSED');
    expect(r.stdout).toContain('nothing was injected');
  });
});
