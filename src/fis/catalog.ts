import data from './catalog.json' with { type: 'json' };

/**
 * Every action and target resource type FIS offers, as the data file `catalog.json` records them:
 * a snapshot with the date it was taken, refreshed from FIS's own API by `faultline fis-catalog
 * refresh --aws`. FIS's API says which parameters and target keys each action takes; the formats
 * of their values (durations and their bounds, percentages, enumerations) come from the FIS
 * documentation and are kept across refreshes. Template validation for AWS reads this; what a
 * runtime other than AWS can run (the sandbox) is a layer of its own on top (runtime.ts).
 */

/** How a parameter's value is written. FIS takes every value as text. */
export type ValueFormat =
  | { kind: 'duration'; min?: string; max?: string }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  /** Comma-separated items, each of `item`'s format when given. */
  | { kind: 'list'; item?: ValueFormat; max?: number }
  | { kind: 'json' }
  /** A JSON object whose values are strings or arrays of strings (`documentParameters`). */
  | { kind: 'document-parameters' }
  /** `noun` names what the ARN is of, for messages: `an SSM document`. */
  | { kind: 'arn'; service: string; resource?: string; noun: string };

export interface ParameterEntry {
  description: string;
  required: boolean;
  /** Absent: any non-empty text (FIS's API does not say, nor do its docs). */
  format?: ValueFormat;
  /** Allowed only while another parameter has one of these values, and then required. */
  requiredWith?: { parameter: string; values: string[] };
}

export interface ActionEntry {
  description: string;
  /** Target key (e.g. `Instances`) → resource type. An action takes exactly these keys. */
  targets: Record<string, string>;
  parameters: Record<string, ParameterEntry>;
  /** FIS keeps the action for existing templates; new ones should use this one. */
  replacedBy?: string;
}

/** The shape of an ARN of a resource type: `arn:<partition>:<service>:<region>:<account>:<resource…>`. */
export interface ArnShape {
  service: string;
  /** How the resource part starts (`instance/`, `cluster:`); absent: any. */
  resource?: string;
}

export interface ResourceTypeEntry {
  description: string;
  /** Target parameters that identify resources of the type. */
  parameters: Record<string, ParameterEntry>;
  /** What its ARNs look like; absent: not documented, any ARN. */
  arns?: ArnShape[];
  /** How targets of the type may be identified, when FIS restricts it (`aws:eks:pod`: parameters only). */
  identifiedBy?: ('resourceArns' | 'resourceTags' | 'parameters')[];
  replacedBy?: string;
}

export interface Catalog {
  /** The day the snapshot was taken (YYYY-MM-DD). */
  takenAt: string;
  /** Where it was read from. */
  source: string;
  actions: Record<string, ActionEntry>;
  resourceTypes: Record<string, ResourceTypeEntry>;
}

/** The catalog shipped with faultline. Its shape is checked by a test (test/experiments/catalog.test.ts). */
export const CATALOG: Catalog = data as Catalog;

export function catalogAction(id: string): ActionEntry | undefined {
  return Object.hasOwn(CATALOG.actions, id) ? CATALOG.actions[id] : undefined;
}

export function catalogResourceType(type: string): ResourceTypeEntry | undefined {
  return Object.hasOwn(CATALOG.resourceTypes, type) ? CATALOG.resourceTypes[type] : undefined;
}
