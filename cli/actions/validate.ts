import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { worldHealthAlarmNames } from '../../sandbox/services/route53/world-dns.ts';
import { loadWorldFile, worldFileFor, worldFileOf } from '../../sandbox/world/schema.ts';
import {
  type AlarmLookup,
  alarmsFromCloudWatch,
  alarmsFromList,
} from '../../src/experiments/alarm-lookup.ts';
import { ExperimentFileError } from '../../src/experiments/errors.ts';
import { importTemplateFile } from '../../src/experiments/import-template.ts';
import { checkExperiment } from '../../src/experiments/load.ts';
import type { ExperimentSpec } from '../../src/experiments/schema.ts';
import { readSource } from '../../src/experiments/source.ts';
import { fileKind } from '../../src/input/file-kind.ts';
import { claimName, type RunbookNames } from '../../src/runbooks/load.ts';
import { parseRunbook } from '../../src/runbooks/parse.ts';
import type { Runbook } from '../../src/runbooks/schema.ts';
import type { ValidateFlags } from '../commands/validate.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR, RUNBOOKS_DIR } from '../options.ts';
import { SANDBOX_FOR_PEOPLE } from '../sandbox-runtime.ts';

/** What one file or template is checked as, and the summary of what was found valid. */
interface Check {
  label: string;
  run: () => Promise<{ summary: string; notes?: readonly string[] }>;
}

/** `faultline validate`: one line per file, and a UsageError (exit 2) when any is not valid. */
export async function validateAction(files: string[], flags: ValidateFlags, io: Io): Promise<void> {
  if (flags.spec.length > 0 && flags.template.length !== flags.spec.length) {
    throw new UsageError(
      'give each --template its --spec side file, in the same order, or no --spec at all (and each --spec a --template)',
    );
  }
  const runtime = flags.aws ? undefined : SANDBOX_FOR_PEOPLE;
  const alarmsFor = await alarmLookup(flags);
  const checks: Check[] = [];
  const listed =
    files.length > 0 || flags.template.length > 0
      ? (await Promise.all(files.map(filesIn))).flat()
      : await defaultFiles();
  // A file named twice (itself and its folder) is checked once.
  const seen = new Set<string>();
  const given = listed.filter((f) => !seen.has(resolve(f)) && seen.add(resolve(f)));
  // Two runbooks of one name among the files checked would clash once deployed, as in one folder.
  const runbookNames: RunbookNames = new Map();
  for (const file of given) {
    checks.push({
      label: file,
      run: async () => {
        const source = await readSource(file, 'yaml');
        if (fileKind(source.data) === 'runbook') {
          const runbook = parseRunbook(source);
          claimName(runbookNames, source, runbook);
          return { summary: runbookSummary(runbook) };
        }
        const service = (source.data as { service?: unknown } | null)?.service;
        const alarms = await alarmsFor(typeof service === 'string' ? service : undefined);
        return { summary: summary(await checkExperiment(source, { alarms, runtime })) };
      },
    });
  }
  flags.template.forEach((template, i) => {
    const spec = flags.spec[i];
    checks.push({
      label: spec === undefined ? template : `${template} + ${spec}`,
      run: async () => {
        const experiment = await importTemplateFile(template, spec, {
          alarms: await alarmsFor(undefined),
          runtime,
        });
        return { summary: summary(experiment), notes: experiment.imported?.notes };
      },
    });
  });
  let bad = 0;
  for (const check of checks) {
    try {
      const { summary, notes } = await check.run();
      io.out(`ok  ${check.label}  (${summary})`);
      for (const note of notes ?? []) io.out(`    ${note}`);
    } catch (e) {
      if (!(e instanceof ExperimentFileError)) throw e;
      bad++;
      io.err(`error  ${e.message}`);
    }
  }
  if (bad > 0) {
    throw new UsageError(
      `${bad} of ${checks.length} ${checks.length === 1 ? 'file is' : 'files are'} not valid`,
    );
  }
}

/** `3 actions on 3 targets, stop conditions: checkout-availability-critical` */
export function summary(spec: ExperimentSpec): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${count(Object.keys(spec.fault.actions).length, 'action')} on ${count(Object.keys(spec.fault.targets).length, 'target')}, stop conditions: ${spec.stopConditions.join(', ')}`;
}

/** `runbook: alarm checkout-unhealthy-hosts → automation Faultline-RestartUnhealthyTargets, approval required` */
export function runbookSummary(runbook: Runbook): string {
  const { alarm, experiment } = runbook.match;
  const trigger = alarm
    ? `alarm ${[alarm.name ?? alarm.metric ?? alarm.namespace ?? 'matching its dimensions or tags'].flat().join(' or ')}`
    : `FIS experiment ${experiment?.status.join(' or ')}`;
  const { automation, failover } = runbook.action;
  const action = automation
    ? `automation ${automation.document}`
    : `Route 53 failover of ${failover?.record}`;
  const extras = [runbook.approval.required && 'approval required', runbook.dryRun && 'dry run'].filter(
    Boolean,
  );
  return [`runbook: ${trigger} → ${action}`, ...extras].join(', ');
}

/**
 * With no files given: every experiment in experiments/, and every runbook in runbooks/ when the
 * project has that folder.
 */
async function defaultFiles(): Promise<string[]> {
  const experiments = await yamlFilesIn(EXPERIMENTS_DIR, 'no files given, and');
  const hasRunbooks = await stat(RUNBOOKS_DIR).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return hasRunbooks
    ? [...experiments, ...(await yamlFilesIn(RUNBOOKS_DIR, `${RUNBOOKS_DIR}:`))]
    : experiments;
}

/** A folder given as an argument stands for the experiment files in it; a file for itself. */
async function filesIn(path: string): Promise<string[]> {
  const isFolder = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const dir = path.replace(/(.)\/+$/, '$1');
  return isFolder ? yamlFilesIn(dir, `${dir}:`) : [path];
}

async function yamlFilesIn(dir: string, saying: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new UsageError(`${saying} no ${dir}/ folder here to validate`);
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  if (files.length === 0) throw new UsageError(`${saying} no .yaml files in ${dir}/`);
  return files.map((n) => join(dir, n));
}

type AlarmsFor = (service: string | undefined) => Promise<AlarmLookup | undefined>;

/**
 * Where an experiment's alarms are looked up: by default in the sandbox world its game day runs in
 * (the shipped world named after its service, else checkout); else where the flags say.
 */
async function alarmLookup(flags: ValidateFlags): Promise<AlarmsFor> {
  const sources = [flags.world && '--world', flags.endpoint && '--endpoint', flags.aws && '--aws'].filter(
    Boolean,
  );
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} exclude each other`);
  if (!flags.alarmCheck) {
    // --aws still says for where the rules are checked; the others only where alarms are looked up.
    const lookups = sources.filter((s) => s !== '--aws');
    if (lookups.length > 0) throw new UsageError(`--no-alarm-check and ${lookups[0]} exclude each other`);
    return async () => undefined;
  }
  if (flags.aws || flags.endpoint) {
    const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
    if (flags.aws) {
      const cloudwatch = new CloudWatchClient({});
      const lookup = alarmsFromCloudWatch(cloudwatch, `in CloudWatch (${await cloudwatch.config.region()})`);
      return async () => lookup;
    }
    // Where the client points, as --endpoint does for every command (and an error then names it).
    process.env.AWS_ENDPOINT_URL = flags.endpoint;
    const cloudwatch = new CloudWatchClient({
      region: process.env.AWS_REGION ?? 'us-east-1',
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      maxAttempts: 1,
    });
    const lookup = alarmsFromCloudWatch(cloudwatch, `at ${flags.endpoint}`);
    return async () => lookup;
  }
  const byFile = new Map<string, Promise<AlarmLookup>>();
  return (service) => {
    const file = flags.world ? worldFileOf(flags.world) : worldFileFor(service ?? '');
    if (!byFile.has(file)) byFile.set(file, worldAlarms(file));
    return byFile.get(file)!;
  };
}

async function worldAlarms(file: string): Promise<AlarmLookup> {
  const world = await loadWorldFile(file);
  const health = worldHealthAlarmNames(world);
  return alarmsFromList(
    [...world.alarms.map((a) => a.AlarmName), ...(health ? [health.primary, health.secondary] : [])],
    `in the sandbox world '${world.name}' (check elsewhere with --aws or --endpoint)`,
  );
}
