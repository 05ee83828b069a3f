import * as z from '../zod.ts';
import type { Catalog, ValueFormat } from './catalog.ts';

/**
 * The shape of catalog.json, for the code that reads it as input: the refresh, which keeps the
 * documented value formats of the file it replaces, and the test that checks the shipped file.
 * faultline's own code imports the file directly (catalog.ts) and parses nothing at start-up.
 */

const valueFormat: z.ZodMiniType<ValueFormat> = z.lazy(() =>
  z.union([
    z.strictObject({
      kind: z.literal('duration'),
      min: z.optional(z.string()),
      max: z.optional(z.string()),
    }),
    z.strictObject({
      kind: z.enum(['integer', 'number']),
      min: z.optional(z.number()),
      max: z.optional(z.number()),
    }),
    z.strictObject({ kind: z.enum(['boolean', 'json', 'document-parameters']) }),
    z.strictObject({ kind: z.literal('enum'), values: z.array(z.string()).check(z.minLength(1)) }),
    z.strictObject({
      kind: z.literal('list'),
      item: z.optional(valueFormat),
      max: z.optional(z.int().check(z.positive())),
    }),
    z.strictObject({
      kind: z.literal('arn'),
      service: z.string(),
      resource: z.optional(z.string()),
      noun: z.string(),
    }),
  ]),
);

const parameter = z.strictObject({
  description: z.string(),
  required: z.boolean(),
  format: z.optional(valueFormat),
  requiredWith: z.optional(
    z.strictObject({ parameter: z.string(), values: z.array(z.string()).check(z.minLength(1)) }),
  ),
});

const action = z.strictObject({
  description: z.string(),
  targets: z.record(z.string(), z.string()),
  parameters: z.record(z.string(), parameter),
  replacedBy: z.optional(z.string()),
});

const resourceType = z.strictObject({
  description: z.string(),
  parameters: z.record(z.string(), parameter),
  arns: z.optional(z.array(z.strictObject({ service: z.string(), resource: z.optional(z.string()) }))),
  identifiedBy: z.optional(z.array(z.enum(['resourceArns', 'resourceTags', 'parameters']))),
  replacedBy: z.optional(z.string()),
});

export const catalogFile: z.ZodMiniType<Catalog> = z.strictObject({
  takenAt: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-12-05')),
  source: z.string().check(z.minLength(1)),
  actions: z.record(z.string().check(z.regex(/^aws:[a-z0-9-]+:[a-z0-9-]+$/)), action),
  resourceTypes: z.record(z.string().check(z.regex(/^aws:[a-z0-9-]+:[a-z0-9-]+$/)), resourceType),
});

/** catalog.json's text for a catalog: sorted by id, two-space indented, so refreshes diff well. */
export function catalogText(catalog: Catalog): string {
  const sorted = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(
    {
      takenAt: catalog.takenAt,
      source: catalog.source,
      actions: sorted(catalog.actions),
      resourceTypes: sorted(catalog.resourceTypes),
    },
    null,
    2,
  )}\n`;
}
