import { Command, Option } from 'commander';
import type { Io } from '../main.ts';
import {
  type ApiFaultFlags,
  failOption,
  integerIn,
  slowOption,
  speedArgument,
  startOption,
  throttleOption,
} from '../options.ts';

export interface GameDayFlags extends ApiFaultFlags {
  seed: number;
  endpoint?: string;
  dryRun: boolean;
  out: string;
  json: boolean;
  failOnDeviation: boolean;
  template?: string;
  spec?: string;
  stage: string;
  world?: string;
  stateDir: string;
  fresh: boolean;
  speed?: number;
  start?: number;
}

export type GameDayCommandFlags = GameDayFlags & { aws: boolean; remediation?: 'on' | 'off' };

export function gamedayCommand(io: Io): Command {
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
      '--fail-on-deviation',
      'exit 4 when the game day ran but its hypothesis deviated, its RTO was missed or it injected nothing (for CI pipelines)',
      false,
    )
    .option(
      '--template <file>',
      'run an existing FIS experiment template (JSON) instead of an experiment file',
    )
    .option(
      '--spec <file>',
      "with --template: the side file giving the game day's name, service, objectives and hypothesis (what the template tells is inferred)",
    )
    .option('--stage <name>', 'serverless.yml stage', 'dev')
    .option('--world <file>', 'sandbox world file (default: the shipped checkout world)')
    .option('--state-dir <dir>', 'sandbox state folder', '.faultline')
    .option('--fresh', 'start the sandbox from an empty state', false)
    .addOption(startOption('the sandbox it starts'))
    .addOption(throttleOption())
    .addOption(failOption())
    .addOption(slowOption())
    .option(
      '--speed <f>',
      'sandbox only: play virtual time at this many virtual seconds per real second, from 0.1 to 3600 (default: as fast as possible); the timeline is the same at any speed',
      speedArgument,
    )
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
  faultline gameday az-outage --json > verdict.json      # for scripts
  faultline gameday az-outage --fail-on-deviation        # a CI step that fails on a deviation
  faultline gameday --template fis-template.json --spec side.yaml

At a terminal, a remediation waiting for a person's approval is asked about there and then (a
approves, r rejects with a reason, Enter leaves it to faultline approve|reject); the sandbox this
command starts plays real time while it asks, so the approval window is as long as in production.

Exit status: 0 the game day ran to its end and the fault is stopped (whatever the verdict);
1 the run failed (a step failed, or the fault could not be confirmed stopped); 2 bad input
(experiment file, flag); 3 preflight refused to start (kill switch, steady state, window, …);
4 with --fail-on-deviation: it ran, the fault is stopped, and the hypothesis deviated or the RTO
was missed.`,
    )
    .action(async (experiment: string | undefined, flags: GameDayCommandFlags) =>
      (await import('../actions/gameday.ts')).gamedayAction(experiment, flags, io),
    );
}
