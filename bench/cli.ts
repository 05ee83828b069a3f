import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PROJECT_DIR } from '../sandbox/project-dir.ts';
import { approvalTestbed } from '../test/helpers/approval.ts';
import { startSandboxProcess } from '../test/helpers/cli.ts';
import { figure, median } from './print.ts';

/** Fresh processes per figure; the median is the figure. */
const RUNS = 7;
/** The game day takes seconds a run: fewer of them. */
const GAMEDAY_RUNS = 5;
const TARGET_MS = { start: 150, validate: 600, remote: 500, gameday: 2500 } as const;

/** How the README says to run the command: the shell script that execs the pinned Node. */
const FAULTLINE = join(PROJECT_DIR, 'bin', 'faultline');

const COMMANDS = [
  'sandbox',
  'validate',
  'gameday',
  'report',
  'timeline',
  'incidents',
  'note',
  'approve',
  'reject',
];

interface Run {
  /** Wall time, spawn to exit: what a person waits for. */
  ms: number;
  /** CPU time of the Node processes it ran: steadier than wall time on a busy machine. */
  cpuMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Loaded into each Node process the command starts (NODE_OPTIONS), it appends the process's CPU
 * time to the file FAULTLINE_BENCH_CPU names when the process exits.
 */
const CPU_REPORTER = `import { appendFileSync } from 'node:fs';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  appendFileSync(process.env.FAULTLINE_BENCH_CPU, (user + system) / 1000 + '\\n');
});
`;

let reporter: { url: string; file: string } | undefined;

/** One fresh process, timed from spawn to exit. */
function timed(command: string, args: string[]): Promise<Run> {
  const { url, file } = reporter!;
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${url}`,
      FAULTLINE_BENCH_CPU: file,
    };
    rmSync(file, { force: true });
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: PROJECT_DIR, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const reported = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
      const cpuMs = reported.reduce((sum, line) => sum + Number(line), 0);
      resolve({ ms, cpuMs, code, stdout, stderr });
    });
  });
}

async function ok(command: string, args: string[]): Promise<Run> {
  const r = await timed(command, args);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/**
 * The median wall time of each case, `runs` fresh processes each, after one run of each that is
 * not counted: the first run after a change compiles what it loads (Node's compile cache), which
 * is not what a person waits for on the next command. The runs go round the cases in turn, so that
 * a burst of load on the machine slows one run of every case rather than most runs of one.
 */
async function medians(
  cases: Record<string, () => Promise<Run>>,
  runs = RUNS,
): Promise<Record<string, number>> {
  const runsOf: Record<string, Run[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const run of Object.values(cases)) await run();
  for (let i = 0; i < runs; i++) {
    for (const [name, run] of Object.entries(cases)) runsOf[name]!.push(await run());
  }
  const walls: Record<string, number> = {};
  for (const [name, r] of Object.entries(runsOf)) {
    walls[name] = median(r.map((x) => x.ms));
    figure(name, walls[name], 'ms');
    figure(`${name}_cpu`, median(r.map((x) => x.cpuMs)), 'ms');
  }
  return walls;
}

const verdict = (worst: number, target: number) =>
  `${worst <= target ? 'met' : 'MISSED'}, worst ${Math.round(worst)} ms`;

/**
 * The command line as a person types it, through bin/faultline, each figure the median wall time
 * of fresh processes: --version, --help and each command's --help (target ≤ 150 ms); validate of
 * every shipped experiment with no sandbox running (≤ 600 ms); approve, incidents, timeline and
 * report against a running `faultline sandbox` (≤ 500 ms); the game day `npm start` runs, whole
 * process including the sandbox's start (≤ 2.5 s); and `npx faultline --version` beside
 * node_modules/.bin/faultline and bin/faultline.
 */
export async function cliBench(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'faultline-cli-bench-'));
  const reporterFile = join(work, 'cpu-reporter.mjs');
  writeFileSync(reporterFile, CPU_REPORTER);
  reporter = { url: pathToFileURL(reporterFile).href, file: join(work, 'cpu') };
  try {
    const start: Record<string, () => Promise<Run>> = {
      'cli.version': () => ok(FAULTLINE, ['--version']),
      'cli.help': () => ok(FAULTLINE, ['--help']),
      ...Object.fromEntries(COMMANDS.map((c) => [`cli.${c}_help`, () => ok(FAULTLINE, [c, '--help'])])),
    };
    const startTimes = await medians(start);

    const validate = await medians({ 'cli.validate': () => ok(FAULTLINE, ['validate']) });

    // How to run it: npx installs the project into its own cache and reads the whole dependency
    // tree before it runs anything; node_modules/.bin/faultline (a link to bin/faultline) does not.
    await medians({
      'cli.npx_version': () => ok('npx', ['faultline', '--version']),
      'cli.node_modules_bin_version': () =>
        ok(join(PROJECT_DIR, 'node_modules', '.bin', 'faultline'), ['--version']),
      'cli.bin_version': () => ok(FAULTLINE, ['--version']),
    });

    // npm start's game day, on a state folder of its own (it keeps it between runs, as npm start
    // keeps .faultline), so the project's own state and reports are left alone.
    const gameday = join(work, 'gameday');
    const gamedayArgs = [
      'gameday',
      'experiments/az-outage.yaml',
      '--state-dir',
      gameday,
      '--out',
      join(gameday, 'reports'),
    ];
    const npmStart = await medians(
      { 'cli.npm_start_gameday': () => ok(FAULTLINE, gamedayArgs) },
      GAMEDAY_RUNS,
    );

    // A sandbox running on the state a game day left (an incident with its timeline and report),
    // with approvals waiting in it, one for each approve run and the one that is not counted.
    const state = join(work, 'sandbox');
    const day = await ok(FAULTLINE, [
      'gameday',
      'az-outage',
      '--fresh',
      '--json',
      '--state-dir',
      state,
      '--out',
      join(state, 'reports'),
    ]);
    const incident = (JSON.parse(day.stdout) as { incidentId: string }).incidentId;
    const sandbox = await startSandboxProcess(['--port', '0', '--state-dir', state], PROJECT_DIR);
    try {
      const remote = ['--endpoint', sandbox.endpoint];
      const { waitingApproval } = await approvalTestbed(sandbox.endpoint);
      const approvals: string[] = [];
      for (let i = 0; i <= RUNS; i++) {
        approvals.push(`bench-approval-${i}`);
        await waitingApproval(`bench-approval-${i}`);
      }
      const against = await medians({
        'cli.approve': () => ok(FAULTLINE, ['approve', approvals.shift()!, '--note', 'bench', ...remote]),
        'cli.incidents': () => ok(FAULTLINE, ['incidents', ...remote]),
        'cli.timeline': () => ok(FAULTLINE, ['timeline', incident, ...remote]),
        'cli.report': () => ok(FAULTLINE, ['report', incident, ...remote]),
      });
      const slowest = (times: Record<string, number>) => Math.max(...Object.values(times));
      // Wall time is what the targets are about, and what a busy machine changes most.
      const [load] = loadavg();
      process.stderr.write(
        `# cli: load average ${load!.toFixed(1)} on ${availableParallelism()} cores while measuring` +
          (load! >= availableParallelism()
            ? ": wall times are not a quiet machine's; the _cpu figures are steadier\n"
            : '\n'),
      );
      process.stderr.write(
        `# cli targets: --version, --help, <command> --help ≤ ${TARGET_MS.start} ms (${verdict(slowest(startTimes), TARGET_MS.start)}); ` +
          `validate ≤ ${TARGET_MS.validate} ms (${verdict(validate['cli.validate']!, TARGET_MS.validate)}); ` +
          `approve, incidents, timeline, report against a running sandbox ≤ ${TARGET_MS.remote} ms (${verdict(slowest(against), TARGET_MS.remote)}); ` +
          `npm start's game day ≤ ${TARGET_MS.gameday} ms (${verdict(npmStart['cli.npm_start_gameday']!, TARGET_MS.gameday)})\n`,
      );
    } finally {
      await sandbox.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
