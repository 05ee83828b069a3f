import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { validateAction } from '../../cli/actions/validate.ts';
import { PROJECT_DIR } from '../../sandbox/project-dir.ts';
import { fileKind } from '../../src/input/file-kind.ts';
import { scratch, validExperiment } from '../experiments/files.ts';

const RUNBOOKS = join(PROJECT_DIR, 'runbooks');
const shippedRunbook = async () =>
  parse(await readFile(join(RUNBOOKS, 'unhealthy-hosts.yaml'), 'utf8')) as Record<string, unknown>;

describe('fileKind', () => {
  it('tells a runbook from an experiment by the fields only one of them has', async () => {
    expect(fileKind(await shippedRunbook())).toBe('runbook');
    expect(fileKind(validExperiment())).toBe('experiment');
    // A runbook with a misspelt field is still a runbook, so its problems are named as a runbook's.
    expect(fileKind({ name: 'x', description: 'y', match: {}, acton: {} })).toBe('runbook');
  });

  it('checks what says neither (empty, a list, only a name) as an experiment', () => {
    expect(fileKind(null)).toBe('experiment');
    expect(fileKind([1, 2])).toBe('experiment');
    expect(fileKind({ name: 'x', description: 'y' })).toBe('experiment');
  });
});

describe('faultline validate on runbooks', () => {
  let files: Awaited<ReturnType<typeof scratch>>;
  const run = async (paths: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const flags = { template: [], spec: [], aws: false, alarmCheck: false };
    const error = await validateAction(paths, flags, io).then(
      () => undefined,
      (e: Error) => e.message,
    );
    return { out, err, error };
  };
  beforeAll(async () => {
    files = await scratch();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  it('checks each file of a folder of runbooks as a runbook, and says what it does', async () => {
    const r = await run([RUNBOOKS]);
    expect(r.error).toBeUndefined();
    expect(r.out).toContain(
      `ok  ${join(RUNBOOKS, 'unhealthy-hosts.yaml')}  (runbook: alarm checkout-unhealthy-hosts → automation Faultline-RestartUnhealthyTargets)`,
    );
    expect(r.out).toContain(
      `ok  ${join(RUNBOOKS, 'primary-region-failover.yaml')}  (runbook: alarm checkout-primary-health → automation Faultline-RegionFailover, approval required)`,
    );
  });

  it("names a runbook's own problem, and a second runbook of the same name", async () => {
    const runbook = await shippedRunbook();
    const bad = await files.write('bad.yaml', stringify({ ...runbook, verify: { within: '10 minutes' } }));
    const twin = await files.write('twin.yaml', stringify(runbook));
    const r = await run([join(RUNBOOKS, 'unhealthy-hosts.yaml'), bad, twin]);
    expect(r.err).toEqual([
      expect.stringMatching(
        new RegExp(`^error  ${bad}: verify\\.within: must be an ISO-8601 duration .*\\(got '10 minutes'\\)`),
      ),
      `error  ${twin}: name: 'unhealthy-hosts' is already the name of ${join(RUNBOOKS, 'unhealthy-hosts.yaml')} (line 1)`,
    ]);
    expect(r.error).toBe('2 of 3 files are not valid');
  });
});
