import { resolve } from 'node:path';
import { Command } from 'commander';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { UsageError } from '../errors.ts';
import { integerIn, positiveNumber } from '../options.ts';
import { restoreInterruptedOverride } from '../remediation-switch.ts';
import { sandboxStart, startOption } from '../sandbox-start.ts';

export const DEFAULT_SANDBOX_PORT = 4566;

export interface SandboxFlags {
  port: number;
  seed: number;
  world?: string;
  speed: number;
  fresh: boolean;
  repair: boolean;
  stateDir: string;
  start?: number;
}

export function sandboxCommand(io: { out: (line: string) => void; err: (line: string) => void }): Command {
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
      'virtual seconds per real second (600 plays ten minutes each second)',
      positiveNumber,
      1,
    )
    .option('--fresh', 'start from an empty state instead of the saved one', false)
    .option(
      '--repair',
      'start on a damaged state folder (refused otherwise): LevelDB repair, then keep what is left and say what was lost',
      false,
    )
    .addOption(startOption())
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
    .action(async (flags: SandboxFlags) => {
      let stack: LocalStack;
      const stateDir = resolve(flags.stateDir);
      const start = await sandboxStart({ stateDir, fresh: flags.fresh, start: flags.start });
      try {
        stack = await startLocal({
          seed: flags.seed,
          world: flags.world ? resolve(flags.world) : undefined,
          stateDir,
          fresh: flags.fresh,
          repair: flags.repair,
          start,
          time: flags.speed,
          port: flags.port,
        });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new UsageError(
            `port ${flags.port} is already in use: pass --port with another port, or --port 0`,
          );
        }
        throw e;
      }
      const { sandbox, endpoint, deployment } = stack;
      for (const line of sandbox.repaired) io.err(`faultline sandbox: repaired: ${line}`);
      await restoreInterruptedOverride(stateDir, io.err);
      const w = sandbox.world;
      io.err(
        `faultline sandbox: world '${w.def.name}' (${w.region}, ${w.instances().length} instances in ${w.def.availabilityZones.length} AZs), ` +
          `seed ${flags.seed}, ${flags.speed}x virtual time from ${new Date(start).toISOString()}, state in ${flags.stateDir}; ` +
          `deployed ${Object.keys(deployment.functions).length} functions and ${Object.keys(deployment.stateMachines).length} state machine(s) from serverless.yml`,
      );
      io.out(`AWS_ENDPOINT_URL=${endpoint}`);
      io.out(`AWS_REGION=${w.region}`);
      io.out('AWS_ACCESS_KEY_ID=sandbox');
      io.out('AWS_SECRET_ACCESS_KEY=sandbox');
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await stack.close();
      io.err('faultline sandbox: stopped, state saved');
    });
}
