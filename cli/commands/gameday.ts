import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { client } from '../../src/aws/clients.ts';
import { alarmsFromCloudWatch } from '../../src/experiments/alarm-lookup.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { findUnknownAlarm } from '../../src/experiments/rules.ts';
import type { ExperimentSpec } from '../../src/experiments/schema.ts';
import { gameDayId } from '../../src/gameday/ids.ts';
import type { GameDayState } from '../../src/gameday/state.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { ApprovalWatch } from '../approval-watch.ts';
import { UsageError } from '../errors.ts';
import { loadExperimentArgument } from '../experiment-argument.ts';
import { integerIn } from '../options.ts';
import { ProgressPrinter } from '../progress.ts';
import { switchRemediation } from '../remediation-switch.ts';
import { type RemediationRun, remediationsOf } from '../remediations.ts';
import { watchServiceTime } from '../service-time.ts';
import { stateMachineArn } from '../state-machines.ts';
import { pointAt, tableName } from '../timeline-source.ts';

export interface GameDayFlags {
  seed: number;
  endpoint?: string;
  dryRun: boolean;
  out: string;
  json: boolean;
  template?: string;
  spec?: string;
  stage: string;
  world?: string;
  stateDir: string;
  fresh: boolean;
}

/** Exit statuses of `faultline gameday`, documented in its --help and the README. */
export const GAMEDAY_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export interface GameDaySummary {
  incidentId: string;
  /** A dry run injects nothing and measures nothing. */
  kind: 'gameday' | 'dry-run';
  status: 'completed' | 'refused' | 'failed';
  verdict: Record<string, unknown> | null;
  experiment: { id: string | null; finalStatus: string | null };
  faultStopped: boolean;
  reports: { markdown: string; html: string; json: string } | null;
  remediations: RemediationRun[];
  execution: { arn: string; status: string; error?: string; cause?: string };
}

// Time between two looks at the execution. In-process the clock is virtual and steps happen each
// virtual minute; against a running sandbox or AWS it is real time, and a person is watching.
const POLL_MS = { inProcess: 30_000, remote: 2_000 } as const;

export function gamedayCommand(io: { out: (line: string) => void; err: (line: string) => void }): Command {
  return new Command('gameday')
    .description(
      'Run a game day: preflight, inject the fault through FIS, watch every minute, stop safely, verify recovery, report.',
    )
    .argument(
      '[experiment]',
      'experiment file (e.g. experiments/az-outage.yaml) or the name of one in experiments/',
    )
    .option(
      '--seed <s>',
      'seed of the sandbox world (same seed, same timeline)',
      integerIn(0, 2 ** 32 - 1),
      1,
    )
    .option(
      '--endpoint <url>',
      'run against a running sandbox (faultline sandbox) instead of starting one; omit with --aws',
    )
    .option(
      '--aws',
      'run against AWS with the usual credential chain (the stack deployed from serverless.yml)',
      false,
    )
    .option(
      '--dry-run',
      'resolve targets and show the blast radius without injecting anything (FIS skip-all)',
      false,
    )
    .option('--out <dir>', 'folder the report files are written to', 'reports')
    .option('--json', 'print one JSON object with the verdict instead of the live view', false)
    .option(
      '--template <file>',
      'run an existing FIS experiment template (JSON) instead of an experiment file',
    )
    .option(
      '--spec <file>',
      "with --template: the side file giving the game day's name, service, objectives and hypothesis",
    )
    .option('--stage <name>', 'serverless.yml stage', 'dev')
    .option('--world <file>', 'sandbox world file (default: the shipped checkout world)')
    .option('--state-dir <dir>', 'sandbox state folder', '.faultline')
    .option('--fresh', 'start the sandbox from an empty state', false)
    .addOption(
      new Option(
        '--remediation <on|off>',
        "sandbox only: switch auto-remediation on or off for this game day (default: as deployed, 'on')",
      ).choices(['on', 'off']),
    )
    .addHelpText(
      'after',
      `
Examples:
  faultline gameday experiments/az-outage.yaml          # in a sandbox it starts itself
  faultline gameday instance-kill --dry-run              # show the blast radius only
  faultline gameday az-outage --json > verdict.json      # for scripts and CI pipelines
  faultline gameday --template fis-template.json --spec side.yaml

Exit status: 0 the game day ran to its end and the fault is stopped (whatever the verdict);
1 the run failed (a step failed, or the fault could not be confirmed stopped); 2 bad input
(experiment file, flag); 3 preflight refused to start (kill switch, steady state, window, …).`,
    )
    .action(
      async (
        experimentArg: string | undefined,
        flags: GameDayFlags & { aws: boolean; remediation?: 'on' | 'off' },
      ) => {
        const { spec: experiment, file } = await loadExperimentArgument(experimentArg, flags);
        if (flags.aws && flags.endpoint) throw new UsageError('--aws and --endpoint exclude each other');
        let stack: LocalStack | undefined;
        if (!flags.aws && !flags.endpoint) {
          stack = await startLocal({
            seed: flags.seed,
            world: flags.world ? resolve(flags.world) : undefined,
            stateDir: resolve(flags.stateDir),
            fresh: flags.fresh,
            stage: flags.stage,
            time: 'fast',
          });
        } else if (flags.endpoint) {
          pointAt(flags.endpoint);
        }
        try {
          if (flags.remediation) {
            if (!stack)
              throw new UsageError(
                "--remediation switches the sandbox game day's remediation; with --endpoint or --aws, set the parameter itself",
              );
            await switchRemediation(stack, flags.remediation);
          }
          // The alarms the file names must exist where it runs: say so now, naming the file and the
          // field, rather than have preflight refuse a game day that never stood a chance.
          const where = stack
            ? `in the sandbox world '${stack.sandbox.world.def.name}'`
            : flags.endpoint
              ? `at ${flags.endpoint}`
              : 'in CloudWatch';
          const unknown = await findUnknownAlarm(
            experiment,
            alarmsFromCloudWatch(client('cloudwatch'), where),
          );
          if (unknown) throw new ExperimentFileError(file, unknown.detail, { path: unknown.path });
          const summary = await runGameDay(experiment, flags, stack, io);
          if (flags.json) io.out(JSON.stringify(summary, null, 2));
          process.exitCode = exitStatus(summary);
        } finally {
          await stack?.close();
        }
      },
    );
}

export function exitStatus(s: GameDaySummary): number {
  if (s.status === 'refused') return GAMEDAY_EXIT.refused;
  if (s.status === 'completed' && s.faultStopped) return GAMEDAY_EXIT.ok;
  return GAMEDAY_EXIT.failed;
}

async function findStateMachine(stage: string, stack: LocalStack | undefined): Promise<string> {
  const arn = await stateMachineArn('gameday', stage, stack);
  if (arn) return arn;
  throw new UsageError(
    `no state machine 'faultline-${stage}-gameday' there: deploy the stack first (npx sls deploy --stage ${stage})`,
  );
}

export async function runGameDay(
  experiment: ExperimentSpec,
  flags: Pick<GameDayFlags, 'dryRun' | 'out' | 'json' | 'stage' | 'endpoint'>,
  stack: LocalStack | undefined,
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<GameDaySummary> {
  const sfn = client('sfn');
  const serviceTime = watchServiceTime(sfn);
  const stateMachineArn = await findStateMachine(flags.stage, stack);
  // Named by the service's clock: a running sandbox's virtual time, like the incident it opens.
  const id = gameDayId(experiment.name, serviceTime() ?? new Date());
  const input = { gamedayId: id, experiment, dryRun: flags.dryRun, requestedBy: 'faultline-cli' };
  const live = !flags.json;
  if (live) {
    io.out(
      flags.dryRun
        ? `Dry run ${id}: ${experiment.description} (nothing is injected: FIS resolves the targets and skips the actions)`
        : `Game day ${id}: ${experiment.description}`,
    );
  }
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: id, input: JSON.stringify(input) }),
  );
  const progress = new ProgressPrinter({ dryRun: flags.dryRun });
  const approvals = live
    ? new ApprovalWatch(
        new TimelineStore(client('dynamodb'), await tableName(flags.stage)),
        id,
        stack ? undefined : flags.endpoint ? ` --endpoint ${flags.endpoint}` : ' --aws',
      )
    : undefined;
  let lastEventId = 0;
  let lastState: string | undefined;
  let done: DescribeExecutionCommandOutput | undefined;
  for (;;) {
    // Newest first, page by page, until the events already printed: each poll reads only what is new.
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    page: do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 100, reverseOrder: true }),
      );
      for (const ev of page.events ?? []) {
        if ((ev.id ?? 0) <= lastEventId) break page;
        fresh.push(ev);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    for (const ev of fresh.reverse()) {
      lastEventId = ev.id ?? lastEventId;
      const line = progress.line(ev);
      if (live && line) io.out(line);
      // A failed execution has no output: keep the last state document a step left instead.
      const exited = ev.stateExitedEventDetails?.output;
      if (exited) lastState = exited;
    }
    for (const line of (await approvals?.newRequests()) ?? []) io.out(line);
    // The history was read after the execution was seen finished, so it is complete.
    if (done) break;
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') done = d;
    else await new Promise((r) => setTimeout(r, stack ? POLL_MS.inProcess : POLL_MS.remote));
  }
  const finalState = done.output ?? lastState;
  const output = finalState ? (JSON.parse(finalState) as Partial<GameDayState>) : undefined;
  const summary = await summarise(id, done, output, flags.out, flags.dryRun);
  // The service's clock, not this machine's: a sandbox runs on virtual time.
  summary.remediations = await remediationsOf(id, done.startDate ?? new Date(0), {
    stage: flags.stage,
    stack,
    wait: (ms) => new Promise((r) => setTimeout(r, stack ? ms : Math.min(ms, POLL_MS.remote))),
    waitForRunning: stack !== undefined,
  });
  if (live) printVerdict(summary, io);
  return summary;
}

async function summarise(
  incidentId: string,
  d: DescribeExecutionCommandOutput,
  output: Partial<GameDayState> | undefined,
  outDir: string,
  dryRun: boolean,
): Promise<GameDaySummary> {
  const status = d.status === 'SUCCEEDED' ? 'completed' : d.error === 'GameDayRefused' ? 'refused' : 'failed';
  const verdict = (output?.report?.verdict as Record<string, unknown> | undefined) ?? null;
  const reports = output?.report?.reports
    ? await download(output.report.reports, join(outDir, incidentId))
    : null;
  const exp = (verdict?.experiment as { id?: string; finalStatus?: string } | undefined) ?? {};
  return {
    incidentId,
    kind: dryRun ? 'dry-run' : 'gameday',
    status,
    verdict,
    experiment: {
      id: exp.id ?? output?.experimentRun?.experimentId ?? null,
      finalStatus: exp.finalStatus ?? null,
    },
    faultStopped: verdict?.faultStopped === true || (status === 'refused' && !output?.experimentRun),
    reports,
    remediations: [],
    execution: { arn: d.executionArn!, status: d.status!, error: d.error, cause: d.cause },
  };
}

/** Copies the report objects (s3://bucket/key) into the output folder; returns the local paths. */
async function download(
  reports: { markdown: string; html: string; json: string },
  dir: string,
): Promise<{ markdown: string; html: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const out = { markdown: '', html: '', json: '' };
  for (const kind of ['markdown', 'html', 'json'] as const) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(reports[kind]);
    if (!m) throw new Error(`report location is not an S3 URI: ${reports[kind]}`);
    const obj = await client('s3').send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    const file = join(dir, m[2]!.split('/').pop()!);
    await writeFile(file, await obj.Body!.transformToString());
    out[kind] = file;
  }
  return out;
}

function printVerdict(s: GameDaySummary, io: { out: (line: string) => void }): void {
  io.out('');
  const v = s.verdict as {
    hypothesis?: string;
    rto?: { objectiveSeconds?: number; achievedSeconds?: number | null; met?: boolean | null };
  } | null;
  if (s.status === 'refused')
    io.out('Refused: preflight did not let the game day start; nothing was injected.');
  if (s.status === 'failed') io.out(`Failed: ${s.execution.error ?? 'error'}: ${s.execution.cause ?? ''}`);
  if (v) {
    const dry = s.kind === 'dry-run';
    const rto = v.rto;
    const measured =
      rto?.met === null || rto?.met === undefined
        ? 'not measured'
        : rto.met
          ? `met (recovered in ${fmt(rto.achievedSeconds ?? 0)})`
          : rto.achievedSeconds == null
            ? 'MISSED (not recovered)'
            : `MISSED (${fmt(rto.achievedSeconds)})`;
    const rtoText =
      rto?.objectiveSeconds === undefined
        ? ''
        : ` · RTO ${fmt(rto.objectiveSeconds)}: ${dry ? 'not measured (dry run)' : measured}`;
    io.out(
      dry
        ? `Verdict: dry run, nothing injected · hypothesis ${String(v.hypothesis ?? 'unknown').toUpperCase()}${rtoText}`
        : `Verdict: hypothesis ${String(v.hypothesis ?? 'unknown').toUpperCase()}${rtoText} · fault stopped: ${s.faultStopped ? 'yes' : 'NO'}`,
    );
  }
  if (s.experiment.id) io.out(`Experiment ${s.experiment.id}: ${s.experiment.finalStatus ?? 'unknown'}`);
  for (const r of s.remediations) {
    io.out(
      `Remediation: ${r.runbook} (${r.action}) ${r.outcome}, ${r.start.slice(11, 19)}–${r.end?.slice(11, 19) ?? 'still running'}`,
    );
  }
  if (s.reports) io.out(`Report: ${s.reports.markdown} (also ${s.reports.html}, ${s.reports.json})`);
}

function fmt(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
