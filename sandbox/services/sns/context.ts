import type { SandboxCore } from '../../context.ts';
import type { PublishedMessage } from './model.ts';
import type { SnsState } from './state.ts';

/** What every SNS operation works with. */
export interface SnsContext {
  core: SandboxCore;
  state: SnsState;
  /** Every message published since the sandbox started, oldest first. */
  published: PublishedMessage[];
}
