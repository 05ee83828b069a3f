import { Command } from 'commander';
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

export const DEFAULT_SANDBOX_PORT = 4566;

export interface SandboxFlags extends ApiFaultFlags {
  port: number;
  seed: number;
  world?: string;
  speed: number;
  fresh: boolean;
  repair: boolean;
  stateDir: string;
  start?: number;
}

export function sandboxCommand(io: Io): Command {
  return new Command('sandbox')
    .description(
      'Start the local AWS: FIS, CloudWatch, SSM, Route 53, EC2, S3, SNS, Step Functions, EventBridge and DynamoDB on 127.0.0.1, backed by a simulated world on virtual time, with this project deployed into it.',
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', integerIn(0, 65535), DEFAULT_SANDBOX_PORT)
    .option(
      '--seed <s>',
      'seed for the simulated world (same seed and calls, same results)',
      integerIn(0, 2 ** 32 - 1),
      1,
    )
    .option(
      '--world <file>',
      'world file describing the service to simulate (default: the shipped checkout world)',
    )
    .option(
      '--speed <f>',
      'virtual seconds per real second, from 0.1 to 3600 (600 plays ten minutes each second)',
      speedArgument,
      1,
    )
    .option('--fresh', 'start from an empty state instead of the saved one', false)
    .option(
      '--repair',
      'start on a damaged state folder (refused otherwise): LevelDB repair, then keep what is left and say what was lost',
      false,
    )
    .addOption(startOption())
    .addOption(throttleOption())
    .addOption(failOption())
    .addOption(slowOption())
    .option(
      '--state-dir <dir>',
      'folder that keeps tables, objects and experiment history between runs',
      '.faultline',
    )
    .addHelpText(
      'after',
      `
Once it accepts requests it prints the variables to use, e.g.
  AWS_ENDPOINT_URL=http://127.0.0.1:${DEFAULT_SANDBOX_PORT}
Any AWS SDK v3 client (and the AWS CLI) honours AWS_ENDPOINT_URL; any credentials work.
Stop it with Ctrl-C: its state is saved in the state folder.`,
    )
    .action(async (flags: SandboxFlags) => (await import('../actions/sandbox.ts')).sandboxAction(flags, io));
}
