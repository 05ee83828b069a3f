/**
 * What to do about the errors a person meets first, which the SDK words for its own developers:
 * `Region is missing`, `connect ECONNREFUSED 127.0.0.1:4566`. Loaded on the way out of a failed
 * command only; pure, so that it is tested without a failing network.
 */
export interface Explained {
  message: string;
  /** A setting the person must change (exit 2), rather than a run that failed (exit 1). */
  usage: boolean;
}

export function explainError(e: unknown, env: NodeJS.ProcessEnv): Explained | undefined {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (endpoint && causes(e).some((c) => c.code === 'ECONNREFUSED')) {
    return {
      message: `no sandbox answers at ${endpoint}: start one (faultline sandbox) and pass the --endpoint it prints, or check the port`,
      usage: false,
    };
  }
  if (causes(e).some((c) => c.message === 'Region is missing')) {
    return {
      message:
        'no AWS region is set: export AWS_REGION=<region> (e.g. eu-west-1), or set region in your AWS profile (aws configure)',
      usage: true,
    };
  }
  return undefined;
}

/** The error, what caused it, and each error of an AggregateError (Node's several connection attempts). */
function causes(e: unknown, depth = 0): { code?: string; message?: string }[] {
  if (!(e instanceof Error) || depth > 5) return [];
  const inner = [
    ...(e instanceof AggregateError ? e.errors : []),
    ...(e.cause === undefined ? [] : [e.cause]),
  ].flatMap((c: unknown) => causes(c, depth + 1));
  return [e as Error & { code?: string }, ...inner];
}
