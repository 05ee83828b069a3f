import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod as faultline's schemas use it: the tree-shakable zod/mini API, with zod's English messages
 * (zod/mini loads no locale by itself; classic zod loads this one). Every schema module imports
 * `* as z` from here, so the messages are set before any schema parses. Classic zod costs a
 * handler's cold start ~15 ms (its whole API is built on every schema); zod/mini ~3 ms.
 */
config(en());

export * from 'zod/mini';
