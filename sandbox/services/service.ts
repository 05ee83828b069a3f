import type { ServiceHandler } from '../protocol/types.ts';

/** One emulated AWS service as the sandbox's router sees it. */
export interface SandboxService {
  /** SigV4 signing name the SDK puts in the credential scope (`fis`, `ssm`, `monitoring`, …). */
  readonly signingName: string;
  readonly handler: ServiceHandler;
  /** JSON-serialisable state kept in the state folder between runs (experiment history, …). */
  save?(): unknown;
  /** Loads what `save` returned on an earlier run. */
  restore?(state: unknown): void;
  /** Starts the service's own schedules (alarm evaluation, health checkers) on the virtual clock. */
  start?(): void;
}
