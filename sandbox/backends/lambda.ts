import { performance } from 'node:perf_hooks';
import type { VirtualClock } from '../clock.ts';
import { withTimeout } from './work-timeout.ts';

/** What a handler knows of its invocation: the time it has left, as Lambda's context tells it. */
export interface Invocation {
  remainingMs(): number;
}

/** A Lambda handler as the sandbox calls it: the event in, the result out. */
export type LocalHandler = (event: unknown, invocation: Invocation) => Promise<unknown>;

/** Lambda's default function timeout. */
export const DEFAULT_TIMEOUT_SECONDS = 3;

export interface InvocationRecord {
  functionName: string;
  /** Virtual time the invocation started, epoch ms. */
  startedAt: number;
  /** Real milliseconds the handler ran (Lambda bills real time; virtual time does not move for its compute). */
  durationMs: number;
  error: string | undefined;
}

/**
 * The error a Task state sees when its Lambda function fails, named like Lambda names it
 * (`errorType` is the thrown error's name), so Retry/Catch `ErrorEquals` match as on AWS.
 */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
  }
}

/**
 * How many handlers run at once; the others wait their turn. Lambda runs each invocation in its
 * own environment, the sandbox runs them all in one process: a burst of a thousand executions would
 * otherwise start a thousand handlers whose SDK calls queue behind each other for so long (in real
 * time) that their Lambda timeouts, which middy enforces on real timers, expire while they wait.
 */
export const SANDBOX_LAMBDA_CONCURRENCY = 32;

/**
 * The sandbox's Lambda: the project's functions, registered by name, called in-process. Payloads
 * go through JSON both ways, as they do through the Lambda API, so a handler can't lean on values
 * that would not survive the trip (Dates, undefined, class instances).
 */
export class LambdaRegistry {
  private readonly handlers = new Map<string, { handler: LocalHandler; timeoutMs: number }>();
  private readonly log: InvocationRecord[] = [];
  private readonly region: string;
  private readonly accountId: string;
  private readonly clock: VirtualClock;
  private running = 0;
  private active = 0;
  private readonly turns: (() => void)[] = [];

  constructor(opts: { region: string; accountId: string; clock: VirtualClock }) {
    this.region = opts.region;
    this.accountId = opts.accountId;
    this.clock = opts.clock;
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`;
  }

  /** Registers a function; `timeoutSeconds` is its configured timeout (Lambda's default: 3 s). */
  register(name: string, handler: LocalHandler, opts: { timeoutSeconds?: number } = {}): string {
    const timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.handlers.set(name, { handler, timeoutMs: timeoutSeconds * 1000 });
    return this.functionArn(name);
  }

  has(nameOrArn: string): boolean {
    return this.handlers.has(functionName(nameOrArn));
  }

  /** Invocations in flight, waiting for their turn or running. */
  get inFlight(): number {
    return this.running;
  }

  invocations(): readonly InvocationRecord[] {
    return this.log;
  }

  async invoke(nameOrArn: string, payload: unknown): Promise<unknown> {
    const name = functionName(nameOrArn);
    const fn = this.handlers.get(name);
    if (!fn) {
      throw new LambdaFunctionError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${this.functionArn(name)}`,
      );
    }
    const event = JSON.parse(JSON.stringify(payload ?? {}));
    this.running++;
    // A finishing invocation hands its turn straight to the next in line. Waiting for a turn is
    // not work: the invocations that hold one decide whether virtual time may move.
    if (this.active < SANDBOX_LAMBDA_CONCURRENCY) this.active++;
    else await new Promise<void>((go) => this.turns.push(go));
    const startedAt = this.clock.now();
    const t0 = performance.now();
    const work = this.clock.startWork();
    const invocation: Invocation = {
      remainingMs: () =>
        Math.max(0, fn.timeoutMs - Math.max(this.clock.now() - startedAt, performance.now() - t0)),
    };
    try {
      const result = await withTimeout(
        work.run(() => fn.handler(event, invocation)),
        fn.timeoutMs,
        this.clock,
        // What Lambda answers for a function that ran out of time; the handler itself may still be
        // running, as a timed-out function's code is until Lambda freezes it: it is no longer work.
        () =>
          new LambdaFunctionError(
            'Sandbox.Timedout',
            `Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`,
          ),
      );
      this.log.push({ functionName: name, startedAt, durationMs: performance.now() - t0, error: undefined });
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const errorType = err.name && err.name !== 'Error' ? err.name : 'Error';
      this.log.push({ functionName: name, startedAt, durationMs: performance.now() - t0, error: errorType });
      throw new LambdaFunctionError(errorType, err.message);
    } finally {
      work.end();
      this.running--;
      const next = this.turns.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** `arn:aws:lambda:r:a:function:name[:qualifier]` or a plain name → the function name. */
export function functionName(nameOrArn: string): string {
  const m = /^arn:aws[\w-]*:lambda:[^:]+:\d+:function:([^:]+)/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}
