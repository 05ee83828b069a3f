import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_DIR } from '../sandbox/local.ts';
import { runCli } from './helpers/cli.ts';

/**
 * The README is what a reader gets on a fresh clone: the first thing it shows is what `npm start`
 * prints, and the figures it quotes about the project are the project's. (The sandbox is handed
 * over at 2026-01-05 09:00 UTC here, as vitest.config.ts pins it and the README says.)
 */
describe('the README', () => {
  const readme = readFile(join(PROJECT_DIR, 'README.md'), 'utf8');
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The fenced block that starts with `first`. */
  async function block(first: string): Promise<string> {
    const text = await readme;
    const at = text.indexOf(`\`\`\`\n${first}`);
    expect(at, `a block starting with '${first}'`).toBeGreaterThan(-1);
    const start = at + 4;
    return text.slice(start, text.indexOf('\n```', start) + 1);
  }

  it('shows what `npm start` prints, line for line', async () => {
    const pkg = JSON.parse(await readFile(join(PROJECT_DIR, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node bin/faultline.js gameday experiments/az-outage.yaml');
    dir = await mkdtemp(join(tmpdir(), 'faultline-readme-'));
    const run = await runCli(
      [
        'gameday',
        'experiments/az-outage.yaml',
        '--state-dir',
        join(dir, 'state'),
        '--out',
        join(dir, 'reports'),
      ],
      { cwd: PROJECT_DIR },
    );
    expect(run.code).toBe(0);
    // The README's run wrote its reports where `npm start` does: ./reports.
    const printed = run.stdout.replaceAll(join(dir, 'reports'), 'reports');
    expect(printed).toBe(await block('Game day az-outage-'));
  }, 120_000);

  it('quotes the deployment as serverless.yml makes it', async () => {
    // Its CloudFormation tags (!Ref, !GetAtt) do not matter for counting what it deploys.
    const sls = parse(await readFile(join(PROJECT_DIR, 'serverless.yml'), 'utf8'), { logLevel: 'silent' });
    const functions = Object.keys(sls.functions).length;
    const machines = Object.keys(sls.stepFunctions.stateMachines).length;
    const quoted = [...(await readme).matchAll(/deployed (\d+) functions and (\d+) state machine/g)];
    expect(quoted.length).toBeGreaterThan(0);
    for (const [, f, m] of quoted) expect([Number(f), Number(m)]).toEqual([functions, machines]);
  });

  it('names only files and folders the project has', async () => {
    const paths = new Set<string>();
    for (const line of (await readme).split('\n')) {
      // What `faultline init` writes, and placeholders, are not the project's files.
      if (/faultline init|^Wrote /.test(line)) continue;
      for (const m of line.matchAll(
        /(?<![\w/.-])((?:examples|experiments|runbooks|docs|state-machines|sandbox\/worlds)\/[\w./-]*\w)/g,
      )) {
        if (!/\bNAME\b|\/x\.yaml$/.test(m[1]!)) paths.add(m[1]!);
      }
    }
    expect(paths.size).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const p of paths) {
      await access(join(PROJECT_DIR, p)).catch(() => missing.push(p));
    }
    expect(missing).toEqual([]);
  });
});
