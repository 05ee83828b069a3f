import type { ApiFaults } from '../sandbox/api-faults.ts';

/** "throttled 212, failed 48 and slowed 97 of its 1,061 API calls" (the sandbox's). */
export function describeApiFaults(counts: ApiFaults['counts']): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `throttled ${n(counts.throttle)}, failed ${n(counts.fail)} and slowed ${n(counts.slow)} of its ${n(counts.requests)} API calls`;
}
