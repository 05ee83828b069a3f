import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FisClient, GetExperimentCommand } from '@aws-sdk/client-fis';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type GameDaySummary, runGameDay } from '../cli/actions/gameday.ts';
import { SANDBOX_FOR_PEOPLE } from '../cli/sandbox-runtime.ts';
import { DEFAULT_EPOCH } from '../sandbox/clock.ts';
import { PROJECT_DIR, startLocal } from '../sandbox/local.ts';
import { loadWorldFile, type WorldDefinition, worldFileFor } from '../sandbox/world/schema.ts';
import { ExperimentFileError, ExperimentProblems } from '../src/experiments/errors.ts';
import { importTemplate } from '../src/experiments/import-template.ts';
import type { Sample } from '../src/report/samples.ts';
import {
  createDocumentsFor,
  type FilledTemplate,
  filled,
  hasResourcesFor,
  libraryDocuments,
  pointAtWorld,
  sideFor,
  templatesIn,
  withSpot,
} from '../test/helpers/template-library.ts';
import { figure } from './print.ts';

const OUT = join(PROJECT_DIR, '.faultline/bench-reports/library');
const quiet = { out: () => {}, err: () => {} };

interface Row {
  template: string;
  world: string;
  dryRun: string;
  status: string;
  verdict: string;
  effect: string;
}

/**
 * Every template of aws-samples/fis-template-library as a person runs it with faultline in the
 * sandbox (`faultline gameday --template t.json --spec side.yaml`): placeholders filled, targets
 * pointed at the shipped world that has their resources, the documents its SSM actions name
 * created from the library's own, then a dry run and a real game day, each in a fresh world.
 * Prints one table row per template and how many reached FIS and ran.
 */
export async function libraryBench(): Promise<void> {
  const templates = await templatesIn();
  const documents = await libraryDocuments();
  const checkout = withSpot(await loadWorldFile());
  const orders = await loadWorldFile(worldFileFor('orders'));
  const rows: Row[] = [];
  const t0 = performance.now();
  // BENCH_LIBRARY=<part of a name> runs only the templates whose name has it.
  const only = process.env.BENCH_LIBRARY;
  for (const { name, text } of templates.filter((t) => !only || t.name.includes(only))) {
    rows.push(await runOne(name, filled(text), [checkout, orders], documents));
    process.stderr.write(`# ${name}: ${JSON.stringify(rows.at(-1))}\n`);
  }
  printTable(rows);
  figure('library.templates', rows.length, 'templates');
  figure('library.dry_runs_reached_fis', rows.filter((r) => r.dryRun.startsWith('yes')).length, 'templates');
  figure(
    'library.real_runs_completed',
    rows.filter((r) => r.status.startsWith('completed')).length,
    'templates',
  );
  figure('library.wall_time', (performance.now() - t0) / 1000, 's');
  await rm(OUT, { recursive: true, force: true });
}

async function runOne(
  name: string,
  template: FilledTemplate,
  worlds: WorldDefinition[],
  documents: Awaited<ReturnType<typeof libraryDocuments>>,
): Promise<Row> {
  const row: Row = {
    template: name.split('/')[0]!,
    world: '—',
    dryRun: '',
    status: '—',
    verdict: '—',
    effect: '',
  };
  const stack = await startLocal({
    seed: 1,
    start: DEFAULT_EPOCH,
    time: 'fast',
    world: pickWorld(template, worlds),
  });
  try {
    const world = stack.sandbox.world;
    const side = sideFor(world.def.service.name);
    const load = (guardrails?: object) =>
      importTemplate(
        pointAtWorld(template, world),
        guardrails ? { ...side, guardrails } : side,
        { template: name, spec: 'side.yaml' },
        { runtime: SANDBOX_FOR_PEOPLE },
      );
    let spec: ReturnType<typeof importTemplate>;
    try {
      spec = load();
    } catch (e) {
      if (!(e instanceof ExperimentFileError)) throw e;
      const first = e instanceof ExperimentProblems ? e.problems[0]! : e;
      row.dryRun = `no: ${first.detail}`;
      return row;
    }
    if (!hasResourcesFor(template, world)) {
      row.dryRun = 'no: no shipped world has its resources';
      return row;
    }
    row.world = world.def.service.name;
    await createDocumentsFor(name, template, new SSMClient({}), documents);
    const dry = await gameDay(spec, true, stack);
    // The library's templates pick their own targets (often ALL of them, or no instances at all):
    // the default blast-radius limit (50 % of the service's instances) would refuse those at a real
    // run's preflight, which a dry run reports without being refused. The real run then says 100.
    let widened = '';
    const blast = await preflightDetail(dry, 'blast-radius');
    if (blast?.includes('a real run would be refused')) {
      widened = ` (a real run needs maxBlastRadiusPercent: 100: at 50 % it ${shortBlastRadius(blast)})`;
      spec = load({ maxBlastRadiusPercent: 100 });
    }
    row.dryRun =
      dry.experiment.finalStatus === 'completed'
        ? `yes${widened}`
        : `no: ${(await preflightFailure(dry)) ?? dry.execution.cause ?? dry.experiment.finalStatus}`;
    if (dry.experiment.finalStatus !== 'completed') return row;
    const real = await gameDay(spec, false, stack);
    row.status = await experimentOutcome(real);
    row.verdict = real.verdict
      ? `${real.verdict.hypothesis}, RTO ${real.verdict.rto.met === null ? 'not measured' : real.verdict.rto.met ? 'met' : 'missed'}`
      : real.status;
    row.effect = real.reports ? effectIn(JSON.parse(await readFile(real.reports.json, 'utf8'))) : '';
  } finally {
    await stack.close();
  }
  return row;
}

/**
 * A game day in the stack, as `faultline gameday` runs it. Each starts on a minute of its own:
 * a game day's id is its name and minute, and two in one minute would share it.
 */
async function gameDay(
  spec: ReturnType<typeof importTemplate>,
  dryRun: boolean,
  stack: Awaited<ReturnType<typeof startLocal>>,
): Promise<GameDaySummary> {
  const now = stack.clock.now();
  if (now % 60_000 !== 0 || startedAt.has(now)) {
    await new Promise((r) => setTimeout(r, 60_000 - (now % 60_000)));
  }
  startedAt.add(stack.clock.now());
  return runGameDay(spec, { out: OUT, json: true, stage: 'dev', dryRun }, stack, quiet);
}
const startedAt = new Set<number>();

/** A preflight check's own words, from the game day's report. */
async function preflightDetail(s: GameDaySummary, name: string): Promise<string | undefined> {
  return (await preflightEvents(s)).find((e) => e.detail.name === name)?.detail.detail;
}

/** The preflight check that refused a game day, in its own words (from its report). */
async function preflightFailure(s: GameDaySummary): Promise<string | undefined> {
  return (await preflightEvents(s)).find((e) => e.detail.ok === false)?.detail.detail;
}

async function preflightEvents(
  s: GameDaySummary,
): Promise<{ detail: { name?: string; ok?: boolean; detail?: string } }[]> {
  if (!s.reports) return [];
  const report = JSON.parse(await readFile(s.reports.json, 'utf8')) as {
    events: { kind: string; detail: { name?: string; ok?: boolean; detail?: string } }[];
  };
  return report.events.filter((e) => e.kind === 'gameday.preflight');
}

const shortBlastRadius = (detail: string) =>
  /cannot be checked/.test(detail)
    ? 'targets no instances it can count'
    : `would hit ${/would hit (\d+ of \d+)/.exec(detail)?.[1] ?? 'more than half of the'} instances`;

/** The shipped world for the template: orders for the DynamoDB ones, checkout for every other kind. */
function pickWorld(template: FilledTemplate, worlds: WorldDefinition[]): WorldDefinition {
  const types = Object.values(template.targets ?? {}).map((t) => t.resourceType);
  return types.some((t) => t.startsWith('aws:dynamodb:')) ? worlds[1]! : worlds[0]!;
}

/** The experiment's end as FIS tells it: its status, and for one that did not complete, FIS's reason. */
async function experimentOutcome(s: GameDaySummary): Promise<string> {
  if (!s.experiment.id) return `${s.status}: ${s.execution.cause ?? s.execution.error ?? 'no experiment'}`;
  const { experiment } = await new FisClient({}).send(new GetExperimentCommand({ id: s.experiment.id }));
  const status = experiment?.state?.status ?? s.experiment.finalStatus ?? 'unknown';
  if (status === 'completed') return status;
  const failed = Object.entries(experiment?.actions ?? {}).find(([, a]) => a.state?.status === 'failed');
  const reason = failed ? `${failed[0]}: ${failed[1].state?.reason}` : experiment?.state?.reason;
  return `${status}${reason ? ` (${reason})` : ''}`;
}

/** What the report's samples show moving: the lows and peaks its charts draw. */
function effectIn(report: { minutes: { sample: Sample | null }[] }): string {
  const samples = report.minutes.flatMap((m) => (m.sample ? [m.sample] : []));
  if (samples.length === 0) return 'no samples';
  const nums = (f: (s: Sample) => number | null | undefined) =>
    samples.map(f).filter((v): v is number => typeof v === 'number');
  const hosts = nums((s) => Object.values(s.healthyHostsByAz).reduce((a, b) => a + b, 0));
  const errors = nums((s) => s.errorRatePercent);
  const p99 = nums((s) => s.p99LatencyMs);
  const lag = nums((s) => s.replicaLagMs);
  const concurrency = nums((s) => s.concurrency);
  const parts: string[] = [];
  if (hosts.length && Math.min(...hosts) < hosts[0]!)
    parts.push(`fewest healthy hosts ${Math.min(...hosts)} of ${hosts[0]}`);
  if (errors.length && Math.max(...errors) >= 1) parts.push(`5xx peak ${Math.max(...errors).toFixed(0)} %`);
  if (p99.length && Math.max(...p99) > 2 * p99[0]!) parts.push(`p99 peak ${Math.max(...p99).toFixed(0)} ms`);
  if (lag.length && Math.max(...lag) >= 1000)
    parts.push(`replica lag peak ${(Math.max(...lag) / 1000).toFixed(0)} s`);
  if (concurrency.length && Math.max(...concurrency) > 2 * (concurrency[0] || 1))
    parts.push(`concurrency peak ${Math.max(...concurrency)}`);
  return parts.join(', ') || 'no change in the samples';
}

function printTable(rows: Row[]): void {
  const head = [
    'template',
    'world',
    'dry run reached FIS',
    'real run: experiment',
    'verdict',
    'effect in the report',
  ];
  process.stdout.write(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`);
  for (const r of rows) {
    const cells = [r.template, r.world, r.dryRun, r.status, r.verdict, r.effect].map((c) =>
      c.replace(/\|/g, '\\|'),
    );
    process.stdout.write(`| ${cells.join(' | ')} |\n`);
  }
}
