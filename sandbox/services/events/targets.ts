import type { LambdaRegistry } from '../../backends/lambda.ts';
import type { VirtualClock } from '../../clock.ts';
import type { ServiceHandler } from '../../protocol/types.ts';
import type { Sender, SendResult } from './delivery.ts';

/** A Lambda invocation that failed on every try Lambda gives an asynchronous invocation. */
export interface AsyncInvocationFailure {
  functionArn: string;
  payload: unknown;
  errorType: string;
  errorMessage: string;
  /** 1 + Lambda's retries. */
  attempts: number;
  at: number;
}

/** Lambda's own retries of an asynchronous invocation whose function fails: one and two minutes later. */
const LAMBDA_ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];

export interface TargetDeps {
  clock: VirtualClock;
  lambdas: LambdaRegistry;
  /** The sandbox's Step Functions service, looked up when first needed. */
  states: () => ServiceHandler | undefined;
  region: string;
}

/**
 * Calls targets as EventBridge does. A state machine: StartExecution through the sandbox's Step
 * Functions API (in-process). A Lambda function: an asynchronous invocation, which succeeds once
 * Lambda accepts the event; a failing function is then Lambda's business (two retries, then the
 * failure is recorded), not EventBridge's. `throttle` makes a target answer the next calls with
 * ThrottlingException, standing in for an outage EventBridge must ride out.
 */
export function createTargetSender(deps: TargetDeps): {
  send: Sender;
  throttle(targetArn: string, calls: number): void;
  asyncFailures(): readonly AsyncInvocationFailure[];
  /** Asynchronous Lambda invocations still running or waiting to retry. */
  readonly lambdaInFlight: number;
} {
  const throttled = new Map<string, number>();
  const failures: AsyncInvocationFailure[] = [];
  let running = 0;
  let requests = 0;

  const invokeAsync = (arn: string, payload: unknown, attempt: number) => {
    deps.lambdas.invoke(arn, payload).then(
      () => {
        running--;
      },
      (e: Error) => {
        const delay = LAMBDA_ASYNC_RETRY_DELAYS_MS[attempt];
        if (delay !== undefined) {
          deps.clock.after(delay, () => invokeAsync(arn, payload, attempt + 1));
          return;
        }
        running--;
        failures.push({
          functionArn: arn,
          payload,
          errorType: e.name,
          errorMessage: e.message,
          attempts: attempt + 1,
          at: deps.clock.now(),
        });
      },
    );
  };

  const startExecution = async (arn: string, input: string): Promise<SendResult> => {
    const handler = deps.states();
    if (!handler) return notFound('the sandbox has no Step Functions service');
    requests += 1;
    const res = await handler({
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution' },
      body: Buffer.from(JSON.stringify({ stateMachineArn: arn, input })),
      service: 'states',
      region: deps.region,
      requestId: `events-delivery-${requests}`,
    });
    if (res.status === 200) return { ok: true };
    const err = JSON.parse(String(res.body)) as { __type?: string; message?: string };
    const code = err.__type ?? 'InternalFailure';
    if (code === 'StateMachineDoesNotExist') return notFound(err.message ?? code);
    return {
      ok: false,
      retriable: res.status >= 500 || res.status === 429 || code === 'ThrottlingException',
      errorCode: res.status >= 500 ? 'INTERNAL_ERROR' : 'SDK_CLIENT_ERROR',
      errorMessage: `${code}: ${err.message ?? ''}`,
    };
  };

  const send: Sender = async (arn, input) => {
    const left = throttled.get(arn) ?? 0;
    if (left > 0) {
      throttled.set(arn, left - 1);
      return { ok: false, retriable: true, errorCode: 'THROTTLING', errorMessage: 'Rate exceeded' };
    }
    if (arn.includes(':states:')) return startExecution(arn, input);
    if (!deps.lambdas.has(arn)) return notFound(`Function not found: ${arn}`);
    running++;
    invokeAsync(arn, JSON.parse(input), 0);
    return { ok: true };
  };

  return {
    send,
    throttle: (arn, calls) => throttled.set(arn, calls),
    asyncFailures: () => failures,
    get lambdaInFlight() {
      return running;
    },
  };
}

function notFound(message: string): SendResult {
  return { ok: false, retriable: false, errorCode: 'RESOURCE_NOT_FOUND', errorMessage: message };
}
