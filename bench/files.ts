import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { SOURCE_LIMITS } from '../src/experiments/source.ts';
import { aliasBomb } from '../test/experiments/files.ts';
import { figure, median } from './print.ts';

const run = promisify(execFile);
const LOAD = pathToFileURL(fileURLToPath(new URL('../src/runbooks/load.ts', import.meta.url))).href;
const SHIPPED = fileURLToPath(new URL('../runbooks/unhealthy-hosts.yaml', import.meta.url));
const RUNS = 5;

/** Just under the size limit, so that the parser gets to read all of it. */
const NEAR_LIMIT = SOURCE_LIMITS.bytes - 64;

/** The hostile files of issue 12 (item 7), and the worst shapes that fit under the size limit. */
const CASES: Record<string, (file: string) => Promise<void>> = {
  shipped_runbook: async () => {},
  alias_bomb: (file) => writeFile(file, aliasBomb()),
  // Sparse: the reader must refuse it without reading its 6 MB.
  nested_list_6mb: async (file) => {
    await writeFile(file, '[[[[');
    await truncate(file, 6 * 1024 * 1024);
  },
  nested_list_near_limit: (file) =>
    writeFile(file, `${'['.repeat(NEAR_LIMIT / 2)}${']'.repeat(NEAR_LIMIT / 2)}`),
  block_nesting_near_limit: (file) => writeFile(file, `${'- '.repeat(NEAR_LIMIT / 2 - 1)}x`),
  distinct_keys_near_limit: (file) =>
    writeFile(
      file,
      fill((i) => `k${i}: v\n`),
    ),
  flow_list_near_limit: (file) => writeFile(file, `[${fill((i) => `${i},`)}0]`),
  aliases_near_limit: (file) =>
    writeFile(
      file,
      fill((i) => (i % 2 ? `b${i}: *a${i - 1}\n` : `a${i}: &a${i} v\n`)),
    ),
};

/** Lines from `line(0)` on, as many as fit under the limit. */
function fill(line: (i: number) => string): string {
  let text = '';
  for (let i = 0; ; i++) {
    const next = line(i);
    if (text.length + next.length > NEAR_LIMIT) return text;
    text += next;
  }
}

interface Refusal {
  wall: number;
  cpu: number;
  maxRssMb: number;
}

/**
 * Loads `file` as a runbook in a fresh Node process (after loading a shipped runbook, so that the
 * figure is the file, not the modules) and answers what the refusal took and the process's peak
 * memory (the shipped runbook's figure is the baseline: a bounded refusal stays near it).
 */
async function refuse(file: string): Promise<Refusal> {
  const script = [
    `const { loadRunbookFile } = await import(${JSON.stringify(LOAD)});`,
    `await loadRunbookFile(${JSON.stringify(SHIPPED)});`,
    'const cpu0 = process.cpuUsage();',
    'const t0 = performance.now();',
    `await loadRunbookFile(${JSON.stringify(file)}).catch(() => {});`,
    'const wall = performance.now() - t0;',
    'const cpu = process.cpuUsage(cpu0);',
    'const maxRssMb = process.resourceUsage().maxRSS / 1024;',
    'process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000, maxRssMb }));',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout) as Refusal;
}

/**
 * Reading a hostile file as a runbook: wall and CPU time to the refusal (median of 5 fresh
 * processes), and the peak memory of the process. Issue 12 measured a 6 MB nested list at over
 * 60 s and 3.7 GB; target: every case under a second of CPU and within 100 MB of the shipped runbook.
 */
export async function filesBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-hostile-'));
  try {
    for (const [name, write] of Object.entries(CASES)) {
      const file = name === 'shipped_runbook' ? SHIPPED : join(dir, `${name}.yaml`);
      await write(file);
      const runs: Refusal[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await refuse(file));
      figure(`files.${name}.wall`, median(runs.map((r) => r.wall)), 'ms');
      figure(`files.${name}.cpu`, median(runs.map((r) => r.cpu)), 'ms');
      figure(`files.${name}.max_rss`, Math.max(...runs.map((r) => r.maxRssMb)), 'MB');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
