import type { SandboxCore } from '../../context.ts';
import type { ObjectStore } from './store.ts';
import type { UploadStore } from './uploads.ts';

/** What every S3 operation works with. */
export interface S3Context {
  core: SandboxCore;
  store: ObjectStore;
  uploads: UploadStore;
  /** A new multipart upload id, from the seeded stream (the same seed gives the same ids). */
  newUploadId(): string;
  /** Virtual time in whole seconds (as epoch ms): S3 keeps timestamps to the second. */
  now(): number;
}
