import type { FisRuntime } from '../../../src/fis/runtime.ts';
import { WORLD_ACTIONS, WORLD_RESOURCE_TYPES } from '../../world/kinds/registry.ts';

/**
 * What the sandbox's FIS models of FIS's catalog (src/fis/catalog.json): the actions and resource
 * types the world's kinds declare (sandbox/world/kinds/registry.ts), and what they need of their
 * parameters beyond FIS's own rules. Its FIS refuses anything else in a template with a
 * ValidationException that says it runs on AWS, and faultline says so before a sandbox game day starts.
 */
export const SANDBOX_RUNTIME: FisRuntime = {
  name: 'the sandbox',
  action: (id) => (Object.hasOwn(WORLD_ACTIONS, id) ? WORLD_ACTIONS[id] : undefined),
  resourceType: (type) =>
    Object.hasOwn(WORLD_RESOURCE_TYPES, type) ? WORLD_RESOURCE_TYPES[type] : undefined,
};

/** The action ids the sandbox runs, in the order it lists them. */
export const SANDBOX_ACTION_IDS: readonly string[] = Object.keys(WORLD_ACTIONS);
/** The resource types the sandbox resolves, in the order it lists them. */
export const SANDBOX_RESOURCE_TYPES: readonly string[] = Object.keys(WORLD_RESOURCE_TYPES);
