import { setTimeout as realDelay } from 'node:timers/promises';
import { AwsError } from './protocol/types.ts';
import type { RandomStream } from './rng.ts';

/**
 * Faults in the sandbox's own API, for rehearsing how faultline (or any client) rides out an AWS
 * that throttles, fails and slows down: each request is, with these probabilities, refused as the
 * service refuses a request over its rate, failed as a 5xx of the service, or answered late.
 */
export interface ApiFaultRates {
  /** Share of requests refused as throttled (0 to 0.9). */
  throttle: number;
  /** Share of requests failed with the service's 500 (0 to 0.9). */
  fail: number;
  /** Share of requests answered late, by 50 to 500 ms of real time (0 to 0.9). */
  slow: number;
}

export const NO_API_FAULTS: ApiFaultRates = { throttle: 0, fail: 0, slow: 0 };

/** How each service says "slow down", by signing name (code, HTTP status); others: ThrottlingException 400. */
const THROTTLED: Record<string, [string, number]> = {
  monitoring: ['Throttling', 400],
  route53: ['Throttling', 400],
  sns: ['Throttled', 429],
  ec2: ['RequestLimitExceeded', 503],
  s3: ['SlowDown', 503],
  fis: ['ThrottlingException', 429],
};

/** How each service says it failed, by signing name; others: InternalFailure 500. */
const FAILED: Record<string, [string, number]> = {
  ssm: ['InternalServerError', 500],
  s3: ['InternalError', 500],
  ec2: ['InternalError', 500],
  dynamodb: ['InternalServerError', 500],
};

/** Real milliseconds a slowed request is held: the network and the service, not virtual time. */
const SLOW_MS: [number, number] = [50, 500];

export type ApiFault = { kind: 'throttle' | 'fail'; error: AwsError } | { kind: 'slow'; delayMs: number };

export class ApiFaults {
  private readonly rates: ApiFaultRates;
  private readonly rng: RandomStream;
  /** What was injected so far, by kind: a run can say how hard it was tested. */
  readonly counts = { requests: 0, throttle: 0, fail: 0, slow: 0 };

  constructor(rates: ApiFaultRates, rng: RandomStream) {
    this.rates = rates;
    this.rng = rng;
  }

  get active(): boolean {
    return this.rates.throttle > 0 || this.rates.fail > 0 || this.rates.slow > 0;
  }

  /** What, if anything, happens to the next request to `service` (one seeded draw per request). */
  draw(service: string): ApiFault | undefined {
    if (!this.active) return undefined;
    this.counts.requests++;
    const r = this.rng.next();
    const { throttle, fail, slow } = this.rates;
    if (r < throttle) {
      this.counts.throttle++;
      const [code, status] = THROTTLED[service] ?? ['ThrottlingException', 400];
      return { kind: 'throttle', error: new AwsError(code, 'Rate exceeded', status) };
    }
    if (r < throttle + fail) {
      this.counts.fail++;
      const [code, status] = FAILED[service] ?? ['InternalFailure', 500];
      return {
        kind: 'fail',
        error: new AwsError(code, 'We encountered an internal error. Please try again.', status, 'Receiver'),
      };
    }
    if (r < throttle + fail + slow) {
      this.counts.slow++;
      return { kind: 'slow', delayMs: Math.round(this.rng.between(SLOW_MS[0], SLOW_MS[1])) };
    }
    return undefined;
  }
}

/** Holds a slowed request for its delay, on real time whatever the process's timers are doing. */
export function slowDown(fault: ApiFault | undefined): Promise<void> {
  return fault?.kind === 'slow' ? realDelay(fault.delayMs) : Promise.resolve();
}
