import type { TimerHandle, VirtualClock } from '../../clock.ts';
import { AwsError } from '../../protocol/types.ts';
import { statesTimeout } from './timeout-error.ts';

/** How long a task may wait for its token, from the Task state's TimeoutSeconds / HeartbeatSeconds. */
export interface WaitLimits {
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

interface Waiting {
  executionArn: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (e: Error) => void;
  timeout: TimerHandle | undefined;
  heartbeat: TimerHandle | undefined;
  heartbeatMs: number | undefined;
}

interface TokenFields {
  /** Execution ARN. */
  e: string;
  /** State name. */
  s: string;
  /** Which token of the execution this is (every attempt of every waiting task gets the next one). */
  n: number;
}

const MAX_TOKEN = 2048;
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;
const MAX_OUTPUT = 256 * 1024;

/**
 * The callback tokens of `.waitForTaskToken` tasks. Each waiting task attempt gets a token; it
 * waits until SendTaskSuccess or SendTaskFailure answers it, or its TimeoutSeconds or
 * HeartbeatSeconds pass on the sandbox's virtual clock. Tokens are derived from the execution,
 * the state and a per-execution count, so the same seed and calls give the same tokens (they end
 * up on timelines). A token whose task is over answers TaskTimedOut, as on AWS.
 */
export class TaskTokens {
  private readonly clock: VirtualClock;
  private readonly waiting = new Map<string, Waiting>();
  private readonly over = new Set<string>();
  private readonly counts = new Map<string, number>();

  constructor(clock: VirtualClock) {
    this.clock = clock;
  }

  /**
   * Issues a token for one attempt of a waiting task and starts its clocks (AWS counts the
   * timeout from the task's start, so an answer may even arrive before the task's own call returns).
   */
  begin(
    executionArn: string,
    stateName: string,
    limits: WaitLimits,
  ): { token: string; result: Promise<unknown> } {
    const n = (this.counts.get(executionArn) ?? 0) + 1;
    this.counts.set(executionArn, n);
    const fields: TokenFields = { e: executionArn, s: stateName, n };
    const token = `AQC${Buffer.from(JSON.stringify(fields)).toString('base64url')}`;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // An answer may come before the task's own call returns and the interpreter awaits the result:
    // a rejection then must not count as unhandled (Node would end the process), the awaiter still sees it.
    promise.catch(() => {});
    const w: Waiting = {
      executionArn,
      stateName,
      resolve,
      reject,
      timeout: undefined,
      heartbeat: undefined,
      heartbeatMs: limits.heartbeatSeconds === undefined ? undefined : limits.heartbeatSeconds * 1000,
    };
    if (limits.timeoutSeconds !== undefined) {
      w.timeout = this.clock.after(limits.timeoutSeconds * 1000, () =>
        this.expire(token, 'States.Timeout', `the task did not answer within ${limits.timeoutSeconds} s`),
      );
    }
    this.waiting.set(token, w);
    this.armHeartbeat(token, w);
    return { token, result: promise };
  }

  /** SendTaskSuccess: the task's result is `output` (a JSON text). */
  succeed(token: unknown, output: unknown): void {
    const [key, w] = this.find(token);
    if (typeof output !== 'string' || output.length > MAX_OUTPUT) {
      throw new AwsError(
        'InvalidOutput',
        `Invalid output: expected a JSON text of at most ${MAX_OUTPUT} characters`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      throw new AwsError('InvalidOutput', 'Invalid output: not valid JSON');
    }
    this.close(key, w);
    w.resolve(value);
  }

  /** SendTaskFailure: the state fails with `error` (what Retry and Catch match) and `cause`. */
  fail(token: unknown, error: unknown, cause: unknown): void {
    if (error !== undefined && (typeof error !== 'string' || error.length > MAX_ERROR)) {
      throw validation('error', `a string of at most ${MAX_ERROR} characters`);
    }
    if (cause !== undefined && (typeof cause !== 'string' || cause.length > MAX_CAUSE)) {
      throw validation('cause', `a string of at most ${MAX_CAUSE} characters`);
    }
    const [key, w] = this.find(token);
    this.close(key, w);
    // Without an error name the failure is the generic one, which States.TaskFailed and States.ALL catch.
    const name = error || 'States.TaskFailed';
    w.reject(Object.assign(new Error(cause ?? ''), { name }));
  }

  /** SendTaskHeartbeat: the task is alive; its HeartbeatSeconds start again. */
  heartbeat(token: unknown): void {
    const [key, w] = this.find(token);
    this.armHeartbeat(key, w);
  }

  /**
   * The task's own call failed, or its execution ended (stopped, timed out): the token is over and
   * nothing is settled (the interpreter has moved on).
   */
  abandon(token: string): void {
    const w = this.waiting.get(token);
    if (w) this.close(token, w);
  }

  /** Ends every wait of an execution that has ended. */
  abandonExecution(executionArn: string): void {
    for (const [token, w] of this.waiting) if (w.executionArn === executionArn) this.close(token, w);
  }

  private find(token: unknown): [string, Waiting] {
    if (typeof token !== 'string' || token.length < 1 || token.length > MAX_TOKEN || !decode(token)) {
      throw new AwsError('InvalidToken', 'Invalid Token: not a task token this service issued');
    }
    const w = this.waiting.get(token);
    if (w) return [token, w];
    if (this.over.has(token)) {
      throw new AwsError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    }
    throw new AwsError('TaskDoesNotExist', 'Task Does Not Exist: no task is waiting for this token');
  }

  private armHeartbeat(token: string, w: Waiting): void {
    if (w.heartbeatMs === undefined) return;
    this.clock.cancel(w.heartbeat);
    const seconds = w.heartbeatMs / 1000;
    w.heartbeat = this.clock.after(w.heartbeatMs, () =>
      this.expire(token, 'States.HeartbeatTimeout', `no heartbeat within ${seconds} s`),
    );
  }

  private expire(token: string, error: 'States.Timeout' | 'States.HeartbeatTimeout', message: string): void {
    const w = this.waiting.get(token);
    if (!w) return;
    this.close(token, w);
    w.reject(
      error === 'States.Timeout'
        ? statesTimeout(message)
        : Object.assign(new Error(message), { name: 'States.HeartbeatTimeout' }),
    );
  }

  private close(token: string, w: Waiting): void {
    this.clock.cancel(w.timeout);
    this.clock.cancel(w.heartbeat);
    this.waiting.delete(token);
    this.over.add(token);
  }
}

function decode(token: string): TokenFields | undefined {
  if (!token.startsWith('AQC')) return undefined;
  try {
    const f = JSON.parse(Buffer.from(token.slice(3), 'base64url').toString('utf8')) as Partial<TokenFields>;
    return typeof f.e === 'string' && typeof f.s === 'string' && typeof f.n === 'number'
      ? (f as TokenFields)
      : undefined;
  } catch {
    return undefined;
  }
}

function validation(field: string, constraint: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must be ${constraint}`,
  );
}
