import type { SandboxCore } from '../../context.ts';
import type { RandomStream } from '../../rng.ts';
import type { HealthCheck } from './model.ts';
import type { Route53State } from './state.ts';

/** Keeps health checkers probing on the virtual clock; the operations tell it what changed. */
export interface HealthCheckScheduler {
  scheduled(check: HealthCheck): void;
  unscheduled(check: HealthCheck): void;
  /** Whether Route 53 currently considers the health check healthy (Disabled and Inverted applied). */
  isHealthy(check: HealthCheck): boolean;
}

/** What every Route 53 operation works with. */
export interface Route53Context {
  core: SandboxCore;
  state: Route53State;
  /** Draws propagation delays: the `route53` stream, so other draws don't shift them. */
  propagation: RandomStream;
  checkers: HealthCheckScheduler;
  /** Called when a change has reached the name servers (INSYNC), so the world follows what they answer. */
  propagated(): void;
}
