import type { FieldPath } from './problem.ts';

/**
 * Something other than AWS that runs FIS experiments: the sandbox. FIS's own rules (the catalog)
 * say what a template may hold; a runtime says which of those actions and resource types it
 * models, and what more it needs of them. Validation consults it only when the experiment will
 * run there, so an action it does not model is refused with one line that says it runs on AWS.
 */
export interface FisRuntime {
  /** Names it in messages, e.g. `the sandbox`. */
  name: string;
  /** How to run on AWS instead, added to a refusal when a person reads it (the CLI), not an API. */
  onAws?: string;
  action(actionId: string): RuntimeAction | undefined;
  resourceType(resourceType: string): RuntimeResourceType | undefined;
}

export interface RuntimeAction {
  /**
   * What the runtime cannot do with these (FIS-valid) parameters, e.g. an SSM document it cannot
   * run. Paths are relative to the action (`['parameters', 'documentArn']`).
   */
  checkParameters?(parameters: Record<string, string>): { path: FieldPath; detail: string }[];
}

export interface RuntimeResourceType {
  /** The filter paths it can resolve, into the resource as its Describe API shows it. */
  filterPaths: readonly string[];
}
