import { SANDBOX_RUNTIME } from '../sandbox/services/fis/support.ts';
import type { FisRuntime } from '../src/fis/runtime.ts';

/**
 * The sandbox's FIS as the CLI tells a person about it: a refusal of what it does not model also
 * says how to run it on AWS (the emulated API itself answers as a service would, without it).
 */
export const SANDBOX_FOR_PEOPLE: FisRuntime = { ...SANDBOX_RUNTIME, onAws: 'faultline gameday --aws' };
