import { parseIsoDuration } from '../../../src/time/duration.ts';
import { WorldError } from '../errors.ts';
import type { InvocationFault } from '../serverless.ts';
import {
  type ActionContext,
  type ActionRunner,
  candidate,
  isTrue,
  timedFault,
  type WorldKind,
} from './kind.ts';

/**
 * Lambda functions: aws:lambda:invocation-add-delay, -error and -http-integration-response. On AWS
 * the function runs FIS's Lambda extension, which reads the fault from S3 before each invocation;
 * in the world the fault acts on the share of invocations `invocationPercentage` says (100 by
 * default) for `duration`, and stopping the action ends it at once.
 */

function serverlessOf(ctx: ActionContext) {
  const s = ctx.world.serverless;
  if (!s) throw new WorldError('ResourceNotFoundException', 'The world has no Lambda functions.');
  return s;
}

/** A runner for one kind of invocation fault, built from the action's parameters. */
function invocationFault(build: (p: Record<string, string>, ratio: number) => InvocationFault): ActionRunner {
  return (ctx) => {
    const ms = parseIsoDuration(ctx.parameters.duration!)!;
    const ratio = Number(ctx.parameters.invocationPercentage ?? '100') / 100;
    const end = serverlessOf(ctx).injectFault(
      ctx.resources.map((r) => r.arn),
      build(ctx.parameters, ratio),
    );
    return timedFault(ctx, ms, end);
  };
}

export const lambdaKind: WorldKind = {
  name: 'Lambda functions',
  resourceTypes: {
    'aws:lambda:function': {
      filterPaths: ['FunctionName', 'Runtime', 'MemorySize', 'Timeout'],
      candidates: (world) =>
        (world.serverless?.functions() ?? []).map((f) =>
          candidate(
            { id: f.name, arn: f.arn, tags: f.tags },
            { FunctionName: f.name, Runtime: f.runtime, MemorySize: f.memoryMb, Timeout: f.timeoutSeconds },
            // The world's functions have one version, $LATEST, which every qualifier names.
            (name) => name === 'functionQualifier',
          ),
        ),
    },
  },
  actions: {
    'aws:lambda:invocation-add-delay': {
      run: invocationFault((p, ratio) => ({
        kind: 'delay',
        ratio,
        delayMs: Number(p.startupDelayMilliseconds ?? '1000'),
      })),
    },
    'aws:lambda:invocation-error': {
      run: invocationFault((p, ratio) => ({
        kind: 'error',
        ratio,
        preventExecution: isTrue(p.preventExecution),
      })),
    },
    'aws:lambda:invocation-http-integration-response': {
      run: invocationFault((p, ratio) => ({
        kind: 'http',
        ratio,
        statusCode: Number(p.statusCode),
        preventExecution: isTrue(p.preventExecution),
      })),
    },
  },
};
