import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from '../zod.ts';
import { describeIssue, InvalidInputError } from './input-error.ts';
import { logger } from './logger.ts';

export { describeIssue, InvalidInputError };

/**
 * A thin Lambda handler: middy with the Powertools logger (the run's id as correlation id), the
 * input parsed with `schema` at the edge, then the core function. Every function in functions/ is
 * one of these, so parsing, logging and error naming are the same everywhere.
 */
export function taskHandler<S extends z.core.$ZodType, R>(
  name: string,
  schema: S,
  run: (input: z.infer<S>, context: Context) => Promise<R>,
  correlationId: (input: z.infer<S>) => string | undefined = () => undefined,
) {
  return middy(async (event: unknown, context: Context): Promise<R> => {
    const parsed = z.safeParse(schema, event);
    if (!parsed.success) {
      const message = `${name}: invalid input: ${describeIssue(parsed.error)}`;
      logger.error(message);
      throw new InvalidInputError(message);
    }
    const id = correlationId(parsed.data);
    if (id) logger.setCorrelationId(id);
    return run(parsed.data, context);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
