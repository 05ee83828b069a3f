import type { ServiceHandler } from '../protocol/types.ts';

/** One emulated AWS service as the sandbox's router sees it. */
export interface SandboxService {
  /** SigV4 signing name the SDK puts in the credential scope (`fis`, `ssm`, `monitoring`, …). */
  readonly signingName: string;
  readonly handler: ServiceHandler;
  /** JSON-serialisable state kept in the state folder between runs (experiment history, …). */
  save?(): unknown;
  /**
   * Loads what `save` returned on an earlier run. `savedAt` is the virtual time of that save: the
   * last moment the state shows anything alive, when whatever was still running ends.
   */
  restore?(state: unknown, context: { savedAt: number }): void;
  /** Starts the service's own schedules (alarm evaluation, health checkers) on the virtual clock. */
  start?(): void;
  /**
   * Called as the state is saved (right after `save`): returns what to do once that state is on
   * disk, e.g. mark done the deliveries whose effects it records.
   */
  checkpoint?(): () => void;
  /**
   * Called once what the service delivers to exists again (the project deployed into a restarted
   * sandbox): hand on what the last run left unfinished, e.g. events accepted and not delivered.
   */
  resume?(): void;
}
