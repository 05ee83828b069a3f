import { WorldError } from '../../world/world.ts';
import { apiFailure, type DocumentStep, one } from './actions.ts';

/**
 * Faultline-RaiseFunctionConcurrency's step: Lambda PutFunctionConcurrency, which takes effect at
 * once (the function's throttling ends as soon as its load fits the new limit).
 */
export function putFunctionConcurrencyStep(name: string): DocumentStep {
  return {
    name,
    action: 'aws:executeAwsApi',
    timeoutSeconds: 60,
    inputs: (ctx) => ({
      Service: 'lambda',
      Api: 'PutFunctionConcurrency',
      FunctionName: one(ctx, 'FunctionName'),
      ReservedConcurrentExecutions: Number(one(ctx, 'ReservedConcurrentExecutions')),
    }),
    start(ctl, ctx) {
      const functionName = one(ctx, 'FunctionName');
      const reserved = Number(one(ctx, 'ReservedConcurrentExecutions'));
      try {
        const serverless = ctl.world.serverless;
        if (!serverless) {
          throw new WorldError(
            'ResourceNotFoundException',
            `Function not found: ${ctl.world.arn('lambda', `function:${functionName}`)}`,
          );
        }
        serverless.putFunctionConcurrency(functionName, reserved);
      } catch (e) {
        if (!(e instanceof WorldError)) throw e;
        ctl.fail(
          apiFailure('AWSLambda', e.code, e.message, e.code === 'ResourceNotFoundException' ? 404 : 400),
        );
        return;
      }
      ctl.succeed({ ReservedConcurrentExecutions: [String(reserved)] });
    },
  };
}
