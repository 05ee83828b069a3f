import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { packageProject } from '../test/deploy/packaged.ts';
import { figure, median } from './print.ts';

const run = promisify(execFile);
const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Fresh processes per figure; the median is the figure. */
const RUNS = 7;
const ZIP_TARGET_KB = 250;
const LOAD_TARGET_MS = 60;

interface Load {
  /** Wall time of the import, ms. */
  wall: number;
  /** CPU time the process spent on it, ms: steadier than wall time on a busy machine. */
  cpu: number;
}

/**
 * Loads `url` in a new Node process as Lambda's runtime would (source maps enabled, as
 * NODE_OPTIONS in serverless.yml asks) and answers what the import took: what a cold start spends
 * on the handler's code, apart from starting Node itself.
 */
async function load(url: string): Promise<Load> {
  const script = [
    'const cpu0 = process.cpuUsage();',
    'const t0 = performance.now();',
    `await import(${JSON.stringify(url)});`,
    'const wall = performance.now() - t0;',
    'const cpu = process.cpuUsage(cpu0);',
    'process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000 }));',
  ].join('\n');
  const { stdout } = await run(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '--eval', script],
    { env: { ...process.env, NODE_OPTIONS: '', AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' } },
  );
  return JSON.parse(stdout) as Load;
}

/**
 * The median load of each url. The runs go round all the urls in turn, RUNS times, rather than
 * RUNS loads of one url then the next: a burst of load on the machine then slows one run of every
 * handler instead of most runs of one.
 */
async function medianLoads(urls: string[]): Promise<Load[]> {
  const loads: Load[][] = urls.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    // One after another: loads running side by side would measure each other.
    for (const [j, url] of urls.entries()) loads[j]!.push(await load(url));
  }
  return loads.map((l) => ({ wall: median(l.map((x) => x.wall)), cpu: median(l.map((x) => x.cpu)) }));
}

/**
 * What `sls package` wrote: FAULTLINE_PACKAGE_DIR when given (a package made just before, kept),
 * else a new package of the project (test/deploy/packaged.ts), removed afterwards.
 */
async function packaged(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const given = process.env.FAULTLINE_PACKAGE_DIR;
  if (given) return { dir: given, remove: async () => {} };
  return packageProject(PROJECT_DIR);
}

/**
 * Per function: the size of its deployment zip, and the time to import its handler in a fresh
 * Node process, bundled (the .mjs in the zip) beside unbundled (functions/*.ts through Node's type
 * stripping, with node_modules as they are), in wall and CPU time. Targets: every zip under 250 KB,
 * every bundled load under 60 ms (median of 7).
 */
export async function bundleBench(): Promise<void> {
  const { dir, remove } = await packaged();
  const zips = (await readdir(dir)).filter((f) => f.endsWith('.zip')).sort();
  const unpacked = await mkdtemp(join(tmpdir(), 'faultline-bundles-'));
  let largestKb = 0;
  let slowestMs = 0;
  try {
    const handlers: { name: string; kb: number; bundled: string; unbundled: string }[] = [];
    for (const zip of zips) {
      const name = basename(zip, '.zip');
      const into = join(unpacked, name);
      await run('unzip', ['-q', join(dir, zip), '-d', into]);
      const [handler] = (await readdir(join(into, 'functions'))).filter((f) => f.endsWith('.mjs'));
      if (!handler) throw new Error(`${zip} holds no functions/*.mjs`);
      handlers.push({
        name,
        kb: (await stat(join(dir, zip))).size / 1024,
        bundled: pathToFileURL(join(into, 'functions', handler)).href,
        unbundled: pathToFileURL(join(PROJECT_DIR, 'functions', handler.replace(/\.mjs$/, '.ts'))).href,
      });
    }
    const bundled = await medianLoads(handlers.map((h) => h.bundled));
    const unbundled = await medianLoads(handlers.map((h) => h.unbundled));
    for (const [i, { name, kb }] of handlers.entries()) {
      figure(`bundle.${name}.zip_size`, kb, 'KB');
      figure(`bundle.${name}.load_bundled`, bundled[i]!.wall, 'ms');
      figure(`bundle.${name}.load_bundled_cpu`, bundled[i]!.cpu, 'ms');
      figure(`bundle.${name}.load_unbundled`, unbundled[i]!.wall, 'ms');
      figure(`bundle.${name}.load_unbundled_cpu`, unbundled[i]!.cpu, 'ms');
      largestKb = Math.max(largestKb, kb);
      slowestMs = Math.max(slowestMs, bundled[i]!.wall);
    }
  } finally {
    await rm(unpacked, { recursive: true, force: true });
    await remove();
  }
  figure('bundle.largest_zip_size', largestKb, 'KB');
  figure('bundle.slowest_load_bundled', slowestMs, 'ms');
  process.stderr.write(
    `# bundle targets: every zip < ${ZIP_TARGET_KB} KB (${largestKb < ZIP_TARGET_KB ? 'met' : 'MISSED'}), ` +
      `bundled load < ${LOAD_TARGET_MS} ms median (${slowestMs < LOAD_TARGET_MS ? 'met' : 'MISSED'})\n`,
  );
}
