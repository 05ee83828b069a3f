import type { Automation } from './automation.ts';
import { roundTo } from './format.ts';

/** List prices (USD, us-east-1) the report uses; stated in every report so the figures can be checked. */
export interface Prices {
  /** AWS FIS, per action-minute. */
  fisActionMinute: number;
  /** Step Functions Standard workflows, per state transition. */
  stepFunctionsTransition: number;
  /** Lambda on arm64 (serverless.yml's architecture), per GB-second. */
  lambdaGbSecond: number;
  /** Lambda, per request. */
  lambdaRequest: number;
  /** Memory the functions are given (serverless.yml's provider.memorySize). */
  lambdaMemoryMb: number;
  /** Duration assumed for an invocation whose duration was not recorded. */
  lambdaAssumedMs: number;
}

export const DEFAULT_PRICES: Prices = {
  fisActionMinute: 0.1,
  stepFunctionsTransition: 0.000025,
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.0000002,
  lambdaMemoryMb: 256,
  lambdaAssumedMs: 128,
};

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPriceDollars: number;
  dollars: number;
  basis: string;
}

export interface Cost {
  currency: 'USD';
  prices: Prices;
  lines: CostLine[];
  totalDollars: number;
}

/** What the automation cost: FIS action-minutes, Step Functions transitions, Lambda time and requests. */
export function costOf(automation: Automation, prices: Prices): Cost {
  const actionMinutes = automation.actions.reduce((sum, a) => sum + (a.runningMinutes ?? 0), 0);
  const invocations = automation.steps.reduce((sum, s) => sum + s.invocations, 0);
  const unmeasured = automation.steps.reduce((sum, s) => sum + s.unmeasured, 0);
  const lambdaMs =
    automation.steps.reduce((sum, s) => sum + s.measuredMs, 0) + unmeasured * prices.lambdaAssumedMs;
  const gbSeconds = (lambdaMs / 1000) * (prices.lambdaMemoryMb / 1024);
  const line = (l: Omit<CostLine, 'dollars'>): CostLine => ({
    ...l,
    quantity: roundTo(l.quantity, 6),
    dollars: roundTo(l.quantity * l.unitPriceDollars, 10),
  });
  const lines = [
    line({
      item: 'FIS actions',
      quantity: actionMinutes,
      unit: 'action-minutes',
      unitPriceDollars: prices.fisActionMinute,
      basis: "each action's running time, from running to its end (or the experiment's end)",
    }),
    line({
      item: 'Step Functions',
      quantity: invocations,
      unit: 'state transitions',
      unitPriceDollars: prices.stepFunctionsTransition,
      basis:
        'one per Task invocation recorded as a step event (retries included); Wait and Choice states are not recorded, so this is a lower bound',
    }),
    line({
      item: 'Lambda compute',
      quantity: gbSeconds,
      unit: 'GB-seconds',
      unitPriceDollars: prices.lambdaGbSecond,
      basis:
        `${invocations - unmeasured} measured invocation(s); ${unmeasured} without a recorded duration counted at ` +
        `${prices.lambdaAssumedMs} ms; at ${prices.lambdaMemoryMb} MB`,
    }),
    line({
      item: 'Lambda requests',
      quantity: invocations,
      unit: 'requests',
      unitPriceDollars: prices.lambdaRequest,
      basis: 'one per Task invocation',
    }),
  ];
  return {
    currency: 'USD',
    prices,
    lines,
    totalDollars: roundTo(
      lines.reduce((sum, l) => sum + l.dollars, 0),
      10,
    ),
  };
}
