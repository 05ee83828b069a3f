import {
  distributionWithP99,
  type LatencyDistribution,
  meanOf,
  normalCdf,
  type WeightedLatency,
} from './latency.ts';

/** The Lambda faults acting on a function at one instant (FIS's Lambda extension in the world). */
export interface InvocationFaults {
  /** aws:lambda:invocation-add-delay: this share (0–1) of invocations starts `delayMs` late. */
  delay: { ratio: number; delayMs: number };
  /** aws:lambda:invocation-error: this share fails; with preventExecution the code never runs. */
  error: { ratio: number; preventExecution: boolean };
  /** aws:lambda:invocation-http-integration-response: this share is answered with `statusCode`. */
  http: { ratio: number; statusCode: number; preventExecution: boolean };
}

export const NO_FAULTS: InvocationFaults = {
  delay: { ratio: 0, delayMs: 0 },
  error: { ratio: 0, preventExecution: false },
  http: { ratio: 0, statusCode: 200, preventExecution: false },
};

/** The API, its function and the function's network at one instant. */
export interface ServerlessConditions {
  /** Requests per second arriving at API Gateway. */
  offeredRps: number;
  /** Concurrent executions the function may have (reserved, or the account's unreserved pool). */
  concurrencyLimit: number;
  timeoutMs: number;
  durationP99Ms: number;
  /** Share (0–1) of invocations placed on an ENI in an AZ that cannot reach anything: they time out. */
  isolatedRatio: number;
  /** Share (0–1) of executed invocations that fail even when everything is healthy. */
  baselineErrorRatio: number;
  /** Multiplier on durations (noise); 1 for none. */
  latencyFactor: number;
  /** What API Gateway adds to every response (ms). */
  apiOverheadMs: number;
  faults: InvocationFaults;
}

/** Requests per second by outcome at API Gateway and at the function. */
export interface ServerlessRates {
  requests: number;
  /** Responses with a 5xx: throttled or failed invocations, timeouts, injected 5xx responses. */
  api5xx: number;
  /** Injected 4xx integration responses. */
  api4xx: number;
  /** Invocations Lambda ran (or answered for FIS): throttled ones are not invocations. */
  invocations: number;
  errors: number;
  throttles: number;
  /** Concurrent executions (Little's law: invocations per second × mean duration in seconds). */
  concurrency: number;
  /** Invocations whose code ran to completion and reached the table (one read, one write each). */
  completed: number;
  /** Invocation durations, weighted by invocations per second. */
  durations: WeightedLatency[];
  /** API Gateway's response times, weighted by requests per second. */
  latencies: WeightedLatency[];
}

/** A duration that hardly varies (a timeout, an answer without running the code). */
function fixed(ms: number): LatencyDistribution {
  return { medianMs: Math.max(ms, 0.1), sigma: 0.02 };
}

/** `d` started `ms` later: the same spread in absolute terms around a later median. */
function delayed(d: LatencyDistribution, ms: number): LatencyDistribution {
  if (ms <= 0) return d;
  return { medianMs: d.medianMs + ms, sigma: (d.sigma * d.medianMs) / (d.medianMs + ms) };
}

/** Share of a duration distribution that runs past `timeoutMs`. */
function pastTimeout(d: LatencyDistribution, timeoutMs: number): number {
  return 1 - normalCdf((Math.log(timeoutMs) - Math.log(d.medianMs)) / d.sigma);
}

interface Outcome {
  /** Share (0–1) of invocations. */
  share: number;
  duration: LatencyDistribution;
  error: boolean;
  /** The API's status class for it. */
  status: '2xx' | '4xx' | '5xx';
  completed: boolean;
}

/**
 * What one invocation may turn out to be, by share: isolated (it times out), answered by an
 * injected fault without running, delayed, failed, and the rest; a run past the timeout is an
 * error of exactly the timeout's duration.
 */
function outcomes(c: ServerlessConditions): Outcome[] {
  const f = c.faults;
  const base = distributionWithP99(c.durationP99Ms * c.latencyFactor);
  const out: Outcome[] = [];
  const add = (share: number, o: Omit<Outcome, 'share'>) => {
    if (share > 0) out.push({ share, ...o });
  };
  const timedOut = { duration: fixed(c.timeoutMs), error: true, status: '5xx', completed: false } as const;
  add(c.isolatedRatio, timedOut);
  let rest = 1 - c.isolatedRatio;
  // FIS's extension acts before the handler runs: an answer without running takes no time.
  const httpStatus = f.http.statusCode >= 500 ? '5xx' : f.http.statusCode >= 400 ? '4xx' : '2xx';
  if (f.http.preventExecution) {
    add(rest * f.http.ratio, { duration: fixed(1), error: false, status: httpStatus, completed: false });
    rest *= 1 - f.http.ratio;
  }
  if (f.error.preventExecution) {
    add(rest * f.error.ratio, { duration: fixed(1), error: true, status: '5xx', completed: false });
    rest *= 1 - f.error.ratio;
  }
  for (const [share, dist] of [
    [rest * f.delay.ratio, delayed(base, f.delay.delayMs)],
    [rest * (1 - f.delay.ratio), base],
  ] as const) {
    if (share <= 0) continue;
    const late = Math.min(1, pastTimeout(dist, c.timeoutMs));
    add(share * late, timedOut);
    const ran = share * (1 - late);
    // The code ran: an injected error or response replaces its result, after its work is done.
    const failed = f.error.preventExecution ? 0 : f.error.ratio;
    const answered = f.http.preventExecution ? 0 : (1 - failed) * f.http.ratio;
    const background = (1 - failed - answered) * c.baselineErrorRatio;
    add(ran * (failed + background), { duration: dist, error: true, status: '5xx', completed: true });
    add(ran * answered, { duration: dist, error: false, status: httpStatus, completed: true });
    add(ran * (1 - failed - answered - background), {
      duration: dist,
      error: false,
      status: '2xx',
      completed: true,
    });
  }
  return out;
}

/**
 * The serverless traffic model: API Gateway hands each request to the function. Lambda runs as
 * many at once as arrive per second times how long each takes (Little's law); beyond the
 * function's concurrency limit it throttles the excess, and API Gateway answers those with a 5xx
 * at once. An invocation still running at the function's timeout is stopped and fails.
 */
export function computeServerless(c: ServerlessConditions): ServerlessRates {
  const requests = Math.max(0, c.offeredRps);
  const parts = outcomes(c);
  const meanMs = parts.reduce((s, o) => s + o.share * meanOf(o.duration), 0);
  const demand = (requests * meanMs) / 1000;
  const admitted = demand > c.concurrencyLimit && demand > 0 ? c.concurrencyLimit / demand : 1;
  const invocations = requests * admitted;
  const throttles = requests - invocations;
  const sum = (pick: (o: Outcome) => boolean) =>
    parts.filter(pick).reduce((s, o) => s + o.share * invocations, 0);
  const overhead = (d: LatencyDistribution) => delayed(d, c.apiOverheadMs);
  return {
    requests,
    api5xx: throttles + sum((o) => o.status === '5xx'),
    api4xx: sum((o) => o.status === '4xx'),
    invocations,
    errors: sum((o) => o.error),
    throttles,
    concurrency: Math.min(demand, c.concurrencyLimit),
    completed: sum((o) => o.completed),
    durations: parts.map((o) => ({ weight: o.share * invocations, dist: o.duration })),
    latencies: [
      ...parts.map((o) => ({ weight: o.share * invocations, dist: overhead(o.duration) })),
      { weight: throttles, dist: fixed(c.apiOverheadMs) },
    ],
  };
}
