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
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { worldFileFor, worldFileOf } from '../../sandbox/world/schema.ts';

import { client } from '../../src/aws/clients.ts';
import { alarmsFromCloudWatch } from '../../src/experiments/alarm-lookup.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { findUnknownAlarm } from '../../src/experiments/rules.ts';
import type { ExperimentSpec } from '../../src/experiments/schema.ts';
import { gameDayId } from '../../src/gameday/ids.ts';
import type { GameDayState } from '../../src/gameday/state.ts';
import { reportVerdict } from '../../src/report/json.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { describeApiFaults } from '../api-faults.ts';
import { ApprovalDesk, type Questions, type TimedLine } from '../approval-desk.ts';
import { TerminalQuestions } from '../approval-prompt.ts';
import { ApprovalWatch } from '../approval-watch.ts';
import { defaultAuthor } from '../author.ts';
import type { GameDayCommandFlags, GameDayFlags } from '../commands/gameday.ts';
import { UsageError } from '../errors.ts';
import { loadExperimentArgument } from '../experiment-argument.ts';
import { exitStatus, type GameDayVerdict } from '../gameday-exit.ts';
import type { Io } from '../main.ts';
import { START_ENV } from '../options.ts';
import { formatSeconds as fmt, ProgressPrinter } from '../progress.ts';
import {
  overrideRemediation,
  remediationSwitchName,
  restoreInterruptedOverride,
  warnIfRemediationOff,
} from '../remediation-switch.ts';
import { type RemediationRun, remediationsOf } from '../remediations.ts';
import { SANDBOX_FOR_PEOPLE } from '../sandbox-runtime.ts';
import { sandboxStart } from '../sandbox-start.ts';
import { watchServiceTime } from '../service-time.ts';
import { stateMachineArn } from '../state-machines.ts';
import { painter } from '../style.ts';
import { pointAt, tableName } from '../timeline-source.ts';

export interface GameDaySummary {
  incidentId: string;
  /** A dry run injects nothing and measures nothing. */
  kind: 'gameday' | 'dry-run';
  status: 'completed' | 'refused' | 'failed';
  verdict: GameDayVerdict | null;
  /** `reason`: FIS's, for the final status (why it failed). */
  experiment: { id: string | null; finalStatus: string | null; reason: string | null };
  faultStopped: boolean;
  reports: { markdown: string; html: string; json: string } | null;
  remediations: RemediationRun[];
  execution: { arn: string; status: string; error?: string; cause?: string };
}

// Time between two looks at the execution. In-process the clock is virtual and steps happen each
// virtual minute; against a running sandbox or AWS it is real time, and a person is watching.
const POLL_MS = { inProcess: 30_000, remote: 2_000 } as const;

/** `faultline gameday`: runs it where the flags say, prints it, and sets the exit status (GAMEDAY_EXIT). */
export async function gamedayAction(
  experimentArg: string | undefined,
  flags: GameDayCommandFlags,
  io: Io,
): Promise<void> {
  if (flags.aws && flags.endpoint) throw new UsageError('--aws and --endpoint exclude each other');
  // Without --aws it runs in a sandbox, whose FIS models part of FIS's catalog: say so now.
  const { spec: experiment, file } = await loadExperimentArgument(
    experimentArg,
    flags,
    flags.aws ? undefined : SANDBOX_FOR_PEOPLE,
  );
  if (flags.speed !== undefined && (flags.aws || flags.endpoint)) {
    throw new UsageError(
      '--speed sets the pace of the sandbox this command starts; a running sandbox keeps the speed it was started with (faultline sandbox --speed)',
    );
  }
  if (flags.start !== undefined && (flags.aws || flags.endpoint) && !process.env[START_ENV]) {
    throw new UsageError(
      '--start sets the clock of the sandbox this command starts; a running sandbox keeps its own (faultline sandbox --start)',
    );
  }
  const faults = { throttle: flags.throttle, fail: flags.fail, slow: flags.slow };
  if ((faults.throttle || faults.fail || faults.slow) && (flags.aws || flags.endpoint)) {
    throw new UsageError(
      '--throttle, --fail and --slow inject faults into the sandbox this command starts; a running sandbox takes them when it starts (faultline sandbox --throttle …)',
    );
  }
  if (flags.remediation && (flags.aws || flags.endpoint)) {
    throw new UsageError(
      `--remediation switches remediation in the sandbox this command starts; with --endpoint or --aws, set the switch itself: the SSM parameter ${remediationSwitchName(undefined, flags.stage)} ('on' or 'off')`,
    );
  }
  let stack: LocalStack | undefined;
  let stateDir: string | undefined;
  if (!flags.aws && !flags.endpoint) {
    stateDir = resolve(flags.stateDir);
    const start = await sandboxStart(
      { stateDir, fresh: flags.fresh, start: flags.start },
      { name: experiment.name, windows: experiment.guardrails.windows },
      io.err,
    );
    stack = await startLocal({
      seed: flags.seed,
      world: flags.world ? worldFileOf(flags.world) : worldFileFor(experiment.service),
      stateDir,
      fresh: flags.fresh,
      stage: flags.stage,
      start,
      time: flags.speed ?? 'fast',
      // Still until the game day has started: what this command does first takes no virtual time.
      hold: true,
      apiFaults: faults,
    });
  } else if (flags.endpoint) {
    pointAt(flags.endpoint);
  }
  let restoreSwitch: (() => Promise<void>) | undefined;
  const cleanUp = async () => {
    await restoreSwitch?.();
    await stack?.close();
  };
  // Cut short in-process, the game day goes with this process; what it changed in the sandbox's
  // state (the remediation switch) is put back first.
  const stopInterrupt = stack ? onInterrupt(cleanUp, io.err) : () => {};
  try {
    if (stack && stateDir) await restoreInterruptedOverride(stateDir, io.err);
    if (stack && flags.remediation) {
      restoreSwitch = await overrideRemediation(stack, stateDir, flags.remediation);
    }
    await warnIfRemediationOff(
      remediationSwitchName(stack, flags.stage),
      flags.remediation === 'off'
        ? '--remediation off; the switch is put back when the game day ends'
        : undefined,
      io.err,
    );
    // The alarms the file names must exist where it runs: say so now, naming the file and the
    // field, rather than have preflight refuse a game day that never stood a chance.
    const where = stack
      ? `in the sandbox world '${stack.sandbox.world.def.name}'`
      : flags.endpoint
        ? `at ${flags.endpoint}`
        : 'in CloudWatch';
    const unknown = await findUnknownAlarm(experiment, alarmsFromCloudWatch(client('cloudwatch'), where));
    if (unknown) throw new ExperimentFileError(file, unknown.detail, { path: unknown.path });
    // A person at a terminal is asked about approvals there and then.
    const questions =
      !flags.json && process.stdin.isTTY && process.stdout.isTTY
        ? new TerminalQuestions(process.stdin, process.stdout)
        : undefined;
    const summary = await runGameDay(experiment, flags, stack, io, questions).finally(() =>
      questions?.close(),
    );
    const injected = stack?.sandbox.apiFaultCounts();
    if (injected?.requests) io.err(`faultline: the sandbox ${describeApiFaults(injected)}`);
    if (flags.json) io.out(JSON.stringify(summary, null, 2));
    process.exitCode = exitStatus(summary, flags);
  } finally {
    stopInterrupt();
    await cleanUp();
  }
}

/**
 * Runs `cleanUp` on Ctrl-C or SIGTERM, then ends the process as the signal would have (130/143).
 * Returns what removes the handlers.
 */
function onInterrupt(cleanUp: () => Promise<void>, say: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    off();
    say(
      `faultline: ${signal}: the game day stops with this process; putting back what it switched and saving the sandbox's state (the next start on this state folder records the game day failed, closes its incident and writes its report)`,
    );
    cleanUp()
      .catch((e: unknown) => say(`faultline: ${(e as Error).message}`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const off = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return off;
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
  io: Io,
  questions?: Questions,
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
    for (const note of experiment.imported?.notes ?? []) io.out(`  ${note}`);
  }
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: id, input: JSON.stringify(input) }),
  );
  stack?.play();
  const progress = new ProgressPrinter({ dryRun: flags.dryRun });
  const timelineTable = live ? await tableName(flags.stage) : undefined;
  // The incident is the game day's id unless an earlier run already had that id (a clock that went
  // back): then OpenIncident opens another, which the state document names from then on.
  let incidentId: string | undefined;
  let approvals: ApprovalDesk | undefined;
  const say = (line: string) => (questions ? questions.print(line, io.out) : io.out(line));
  let lastEventId = 0;
  let lastState: string | undefined;
  // The step the flow is in, for the progress line.
  let step: string | undefined;
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
    const lines: TimedLine[] = [];
    for (const ev of fresh.reverse()) {
      lastEventId = ev.id ?? lastEventId;
      step = ev.stateEnteredEventDetails?.name ?? step;
      const line = progress.line(ev);
      if (live && line) lines.push({ at: ev.timestamp?.getTime() ?? 0, line });
      // A failed execution has no output: keep the last state document a step left instead.
      const exited = ev.stateExitedEventDetails?.output;
      if (exited) lastState = exited;
      if (exited && incidentId === undefined) {
        incidentId = (JSON.parse(exited) as Partial<GameDayState>).incident?.incidentId;
        if (incidentId !== undefined && incidentId !== id && live) {
          io.out(`Incident ${incidentId}: an earlier run already has ${id}`);
        }
        if (incidentId !== undefined && timelineTable !== undefined) {
          approvals = new ApprovalDesk({
            watch: new ApprovalWatch(
              new TimelineStore(client('dynamodb'), timelineTable),
              incidentId,
              stack ? undefined : flags.endpoint ? ` --endpoint ${flags.endpoint}` : ' --aws',
              questions !== undefined,
            ),
            incidentId,
            questions,
            setPace: (pace) => stack?.setPace(pace),
            now: () => (serviceTime() ?? new Date()).getTime(),
            author: defaultAuthor(),
          });
        }
      }
    }
    // Read after the history: a request made before any step printed here is among these, and
    // printed in its place rather than after later minutes.
    lines.push(...((await approvals?.look()) ?? []));
    for (const { line } of lines.sort((x, y) => x.at - y.at)) say(line);
    approvals?.askNext();
    // At a terminal, a line that moves while nothing is printed: a minute can be a minute long.
    if (!done && step) {
      const at = (serviceTime() ?? new Date()).toISOString().slice(11, 19);
      questions?.status?.(`${at}  ${step} …`);
    }
    // The history was read after the execution was seen finished, so it is complete.
    if (done) {
      for (const { line } of (await approvals?.close(`the ${progress.what} ended`)) ?? []) say(line);
      break;
    }
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') done = d;
    else await new Promise((r) => setTimeout(r, stack ? POLL_MS.inProcess : POLL_MS.remote));
  }
  questions?.status?.('');
  const finalState = done.output ?? lastState;
  const output = finalState ? (JSON.parse(finalState) as Partial<GameDayState>) : undefined;
  const summary = await summarise(output?.incident?.incidentId ?? id, done, output, flags.out, flags.dryRun);
  // The service's clock, not this machine's: a sandbox runs on virtual time.
  summary.remediations = await remediationsOf(summary.incidentId, done.startDate ?? new Date(0), {
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
  // What the report step recorded, read as the report's schema says it is.
  const parsed = reportVerdict.safeParse(output?.report?.verdict);
  const recorded = parsed.success ? parsed.data : undefined;
  const reports = output?.report?.reports
    ? await download(output.report.reports, join(outDir, incidentId))
    : null;
  return {
    incidentId,
    kind: dryRun ? 'dry-run' : 'gameday',
    status,
    verdict: recorded
      ? {
          hypothesis: recorded.hypothesis,
          rto: recorded.rto,
          ...(recorded.injected === undefined ? {} : { injected: recorded.injected }),
        }
      : null,
    experiment: {
      id: recorded?.experiment.id ?? output?.experimentRun?.experimentId ?? null,
      finalStatus: recorded?.experiment.finalStatus ?? null,
      reason: recorded?.experiment.reason ?? null,
    },
    faultStopped: recorded?.faultStopped === true || (status === 'refused' && !output?.experimentRun),
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

export function printVerdict(s: GameDaySummary, io: Pick<Io, 'out' | 'color'>): void {
  const paint = painter(io.color);
  const bad = (text: string) => paint(['bold', 'red'], text);
  const good = (text: string) => paint('green', text);
  io.out('');
  const v = s.verdict;
  if (s.status === 'refused')
    io.out(
      `${paint(['bold', 'yellow'], 'Refused')}: preflight did not let the game day start; nothing was injected.`,
    );
  if (s.status === 'failed')
    io.out(`${bad('Failed')}: ${s.execution.error ?? 'error'}: ${s.execution.cause ?? ''}`);
  if (v) {
    const dry = s.kind === 'dry-run';
    const nothing = !dry && v.injected === false;
    const rto = v.rto;
    const measured =
      rto.met === null
        ? nothing
          ? 'not measured (nothing was injected)'
          : 'not measured'
        : rto.met
          ? `${good('met')} (recovered in ${fmt(rto.achievedSeconds ?? 0)})`
          : rto.achievedSeconds == null
            ? `${bad('MISSED')} (not recovered)`
            : `${bad('MISSED')} (${fmt(rto.achievedSeconds)})`;
    const rtoText =
      rto.objectiveSeconds === null
        ? ''
        : ` · RTO ${fmt(rto.objectiveSeconds)}: ${dry ? 'not measured (dry run)' : measured}`;
    const hypothesis = v.hypothesis.toUpperCase();
    const painted =
      v.hypothesis === 'deviated' ? bad(hypothesis) : v.hypothesis === 'held' ? good(hypothesis) : hypothesis;
    io.out(
      dry
        ? `Verdict: dry run, nothing injected · hypothesis ${hypothesis}${rtoText}`
        : `Verdict: ${nothing ? `${bad('nothing injected')} · ` : ''}hypothesis ${painted}${rtoText} · fault stopped: ${s.faultStopped ? good('yes') : bad('NO')}`,
    );
  }
  if (s.experiment.id) {
    const { finalStatus, reason } = s.experiment;
    // Why it failed or was stopped, on the line that says so (FIS's reason, folded onto one line):
    // a stop condition that fired is what an incident commander asks first.
    const why =
      (finalStatus === 'failed' || finalStatus === 'stopped') && reason
        ? `: ${reason.replace(/\s+/g, ' ').trim()}`
        : '';
    io.out(`Experiment ${s.experiment.id}: ${finalStatus ?? 'unknown'}${why}`);
  }
  for (const r of s.remediations) {
    io.out(
      `Remediation: ${r.runbook} (${r.action}) ${r.outcome}, ${r.start.slice(11, 19)}–${r.end?.slice(11, 19) ?? 'still running'}`,
    );
  }
  if (s.reports) io.out(`Report: ${s.reports.markdown} (also ${s.reports.html}, ${s.reports.json})`);
}
