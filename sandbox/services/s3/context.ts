import type { SandboxCore } from '../../context.ts';
import type { ObjectStore } from './store.ts';

/** What every S3 operation works with. */
export interface S3Context {
  core: SandboxCore;
  store: ObjectStore;
  /** Virtual time in whole seconds (as epoch ms): S3 keeps timestamps to the second. */
  now(): number;
}
