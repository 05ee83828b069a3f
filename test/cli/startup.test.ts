import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/project-dir.ts';
import { runCli } from '../helpers/cli.ts';

/** Records every module the process loads (Node's module hooks) and writes the list when it exits. */
const RECORDER = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.FAULTLINE_TEST_LOADED, JSON.stringify(loaded)));
`;

/**
 * What `faultline` loads before it can answer: --version and --help must not wait for the sandbox,
 * the SDK clients or the report renderer (cli/main.ts says how commands are split to keep it so).
 * The timings are in bench/cli.ts.
 */
describe('faultline startup', () => {
  let dir: string;
  let recorder: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-startup-'));
    recorder = join(dir, 'record-loads.mjs');
    await writeFile(recorder, RECORDER);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The project files and the packages a run of `faultline <args>` loaded. */
  async function loads(args: string[]): Promise<{ files: string[]; packages: string[] }> {
    const list = join(dir, 'loaded.json');
    const r = await runCli(args, {
      env: { NODE_OPTIONS: `--import ${pathToFileURL(recorder).href}`, FAULTLINE_TEST_LOADED: list },
    });
    expect(r.code).toBe(0);
    const urls = (JSON.parse(await readFile(list, 'utf8')) as string[]).filter((u) => u.startsWith('file:'));
    const project = pathToFileURL(PROJECT_DIR).href;
    const packages = new Set<string>();
    const files: string[] = [];
    for (const url of urls) {
      const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
      if (pkg) packages.add(pkg[1]!);
      else if (url.startsWith(project)) files.push(url.slice(project.length));
    }
    return { files, packages: [...packages].sort() };
  }

  for (const args of [
    ['--version'],
    ['--help'],
    ['gameday', '--help'],
    ['report', '--help'],
    ['approve', '--help'],
  ]) {
    it(`${args.join(' ')} loads the command definitions and commander, nothing that does the work`, async () => {
      const { files, packages } = await loads(args);
      expect(packages).toEqual(['commander']);
      expect(files).toContain('cli/main.ts');
      expect(files).toContain('cli/commands/gameday.ts');
      // What the flag parsers need from src/: the ranges numbers are checked against and how a
      // value is quoted, and the time-zone check of --tz and its error.
      const beyondCli = files.filter((f) => !f.startsWith('cli/') && !f.startsWith('bin/'));
      expect(beyondCli.sort()).toEqual([
        'src/input/number-range.ts',
        'src/input/quote.ts',
        'src/report/errors.ts',
        'src/report/time-zone.ts',
        'src/runtime/input-error.ts',
      ]);
      expect(files.filter((f) => f.startsWith('cli/actions/'))).toEqual([]);
    });
  }

  it('runs a changed source file as changed: nothing compiled earlier is used in its place', async () => {
    // A copy of the project's code (its node_modules, with the compile cache, shared by a link).
    const copy = join(dir, 'project');
    for (const part of ['bin', 'cli', 'src', 'sandbox', 'package.json']) {
      await cp(join(PROJECT_DIR, part), join(copy, part), { recursive: true });
    }
    await symlink(join(PROJECT_DIR, 'node_modules'), join(copy, 'node_modules'));
    const bin = join(copy, 'bin', 'faultline.js');
    const help = async () => {
      const r = await runCli(['validate', '--help'], { bin });
      expect(r.code).toBe(0);
      return r.stdout;
    };
    expect(await help()).toContain('Check experiment and runbook files as faultline checks them');

    const definition = join(copy, 'cli', 'commands', 'validate.ts');
    const source = await readFile(definition, 'utf8');
    await writeFile(
      definition,
      source.replace('Check experiment and runbook files as', 'Look over experiment and runbook files as'),
    );
    const changed = await help();
    expect(changed).toContain('Look over experiment and runbook files as faultline checks them');
    expect(changed).not.toContain('Check experiment and runbook files as');
  });
});
