import { resolve } from 'node:path';
import { type LocalStack, startLocal } from '../../sandbox/local.ts';
import { worldFileOf } from '../../sandbox/world/schema.ts';
import { describeApiFaults } from '../api-faults.ts';
import type { SandboxFlags } from '../commands/sandbox.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../main.ts';
import { restoreInterruptedOverride } from '../remediation-switch.ts';
import { sandboxStart } from '../sandbox-start.ts';

/** `faultline sandbox`: serves until SIGINT or SIGTERM, then saves the state. */
export async function sandboxAction(flags: SandboxFlags, io: Io): Promise<void> {
  let stack: LocalStack;
  const stateDir = resolve(flags.stateDir);
  const start = await sandboxStart({ stateDir, fresh: flags.fresh, start: flags.start });
  try {
    stack = await startLocal({
      seed: flags.seed,
      world: flags.world ? worldFileOf(flags.world) : undefined,
      stateDir,
      fresh: flags.fresh,
      repair: flags.repair,
      start,
      time: flags.speed,
      port: flags.port,
      apiFaults: { throttle: flags.throttle, fail: flags.fail, slow: flags.slow },
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
  const azs = `${w.def.availabilityZones.length} AZs`;
  const what = w.serverless
    ? `function ${w.serverless.fn.name} in ${azs}`
    : `${w.instances().length} instances in ${azs}`;
  io.err(
    `faultline sandbox: world '${w.def.name}' (${w.region}, ${what}), ` +
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
  const injected = stack.sandbox.apiFaultCounts();
  await stack.close();
  if (injected?.requests) io.err(`faultline sandbox: ${describeApiFaults(injected)}`);
  io.err('faultline sandbox: stopped, state saved');
}
