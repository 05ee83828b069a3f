/**
 * Errors a state machine should retry with back-off: throttling and the service's own failures.
 * Handlers rethrow such SDK errors as TransientAwsError, the one name the ASL's Retry lists, so
 * that a bad request (a ValidationException) fails at once instead of being retried.
 */
export class TransientAwsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientAwsError';
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  if (THROTTLING.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  // Network failures reaching the service (connection refused or reset, timeouts).
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'TimeoutError'].includes(e.code ?? e.name);
}

/** Runs an AWS call; a throttling or 5xx error becomes a TransientAwsError for the state machine to retry. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isTransient(err))
      throw new TransientAwsError(`${what}: ${(err as Error).name}: ${(err as Error).message}`, {
        cause: err,
      });
    throw err;
  }
}
