import { NormalizedSchema } from '@smithy/core/schema';
import type { JsonOperation } from './json.ts';
import type { QueryOperation, QueryValue } from './query.ts';

/**
 * A service that AWS serves over both awsJson and awsQuery (CloudWatch is `awsQueryCompatible`)
 * keeps one set of operations, written against the JSON input and output. This module is the
 * bridge to the query protocol, driven by the service model the AWS SDK itself ships (the
 * `<Operation>$` schemas of `@aws-sdk/client-*`): form parameters are read into the JSON input the
 * operation expects (lists from `.member.N`, maps from `.entry.N.key/value`, numbers, booleans and
 * ISO-8601 timestamps typed), and the operation's output is written as the XML tree the query
 * protocol answers with (lists as `<member>`, maps as `<entry><key/><value/></entry>`, timestamps
 * in ISO 8601). What the model does not know is left out either way.
 *
 * Values that cannot be read as their type are passed on as sent, so that the operation's own
 * validation answers them with the service's error naming the parameter.
 */

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

/** A static operation schema as `@aws-sdk/client-*` exports it: `[9, namespace, name, traits, input, output]`. */
export type StaticOperationSchema = readonly [9, string, string, unknown, unknown, unknown];

/**
 * The query form of each JSON operation. `schemas` maps an operation name to its static schema
 * (the client package's `<Operation>$` export); an operation without one is a programming error
 * and fails at start-up, not at the first request.
 */
export function queryOperationsFromJson(
  operations: Record<string, JsonOperation>,
  schemas: Record<string, unknown>,
): Record<string, QueryOperation> {
  const out: Record<string, QueryOperation> = {};
  for (const [name, op] of Object.entries(operations)) {
    const schema = schemas[`${name}$`] as StaticOperationSchema | undefined;
    if (!Array.isArray(schema) || schema[0] !== 9) {
      throw new Error(`no service model for the query form of ${name}`);
    }
    const input = NormalizedSchema.of(schema[4] as SchemaRef);
    const output = NormalizedSchema.of(schema[5] as SchemaRef);
    out[name] = async (params, req) => {
      const result = await op(readInput(params, input), req);
      return output.isUnitSchema()
        ? undefined
        : (writeValue(result ?? {}, output) as Record<string, unknown>);
    };
  }
  return out;
}

/** The wire name of a member: its `xmlName` trait when it has one. */
function wireName(member: NormalizedSchema, fallback: string): string {
  const xmlName = member.getMergedTraits().xmlName;
  return typeof xmlName === 'string' ? xmlName : fallback;
}

function readInput(params: Record<string, QueryValue>, schema: NormalizedSchema): Record<string, unknown> {
  if (schema.isUnitSchema()) return {};
  return readValue(params, schema) as Record<string, unknown>;
}

function readValue(node: QueryValue, schema: NormalizedSchema): unknown {
  if (schema.isStructSchema()) {
    if (typeof node !== 'object' || Array.isArray(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [name, member] of schema.structIterator()) {
      const value = node[wireName(member, name)];
      if (value !== undefined) out[name] = readValue(value, member);
    }
    return out;
  }
  if (schema.isListSchema()) {
    // An empty list is sent as the bare parameter with no value (`AlarmNames=`).
    if (node === '') return [];
    const member = schema.getValueSchema();
    const flattened = schema.getMergedTraits().xmlFlattened;
    const items = flattened
      ? node
      : typeof node === 'object' && !Array.isArray(node)
        ? node[wireName(member, 'member')]
        : undefined;
    return Array.isArray(items) ? items.map((item) => readValue(item, member)) : node;
  }
  if (schema.isMapSchema()) {
    if (node === '') return {};
    const flattened = schema.getMergedTraits().xmlFlattened;
    const entries = flattened
      ? node
      : typeof node === 'object' && !Array.isArray(node)
        ? node.entry
        : undefined;
    if (!Array.isArray(entries)) return node;
    const keyName = wireName(schema.getKeySchema(), 'key');
    const valueSchema = schema.getValueSchema();
    const valueName = wireName(valueSchema, 'value');
    const out: Record<string, unknown> = {};
    for (const entry of entries) {
      if (typeof entry !== 'object' || Array.isArray(entry) || typeof entry[keyName] !== 'string')
        return node;
      const value = entry[valueName];
      if (value !== undefined) out[entry[keyName]] = readValue(value, valueSchema);
    }
    return out;
  }
  if (typeof node !== 'string') return node;
  if (schema.isBooleanSchema()) return node === 'true' ? true : node === 'false' ? false : node;
  if (schema.isNumericSchema()) {
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(node) ? Number(node) : node;
  }
  if (schema.isTimestampSchema()) {
    // ISO 8601 is the query protocol's format; epoch seconds are accepted as the JSON form is.
    if (/^\d+(\.\d+)?$/.test(node)) return Number(node);
    const ms = Date.parse(node);
    return Number.isNaN(ms) ? node : ms / 1000;
  }
  return node;
}

function writeValue(value: unknown, schema: NormalizedSchema): unknown {
  if (value === undefined || value === null) return undefined;
  if (schema.isStructSchema()) {
    if (typeof value !== 'object') return undefined;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, member] of schema.structIterator()) {
      const written = writeValue(source[name], member);
      if (written !== undefined) out[wireName(member, name)] = written;
    }
    return out;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) return undefined;
    const member = schema.getValueSchema();
    const items = value.map((item) => writeValue(item, member)).filter((item) => item !== undefined);
    return schema.getMergedTraits().xmlFlattened ? items : { [wireName(member, 'member')]: items };
  }
  if (schema.isMapSchema()) {
    if (typeof value !== 'object') return undefined;
    const keyName = wireName(schema.getKeySchema(), 'key');
    const valueSchema = schema.getValueSchema();
    const valueName = wireName(valueSchema, 'value');
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => ({
      [keyName]: k,
      [valueName]: writeValue(v, valueSchema),
    }));
    return schema.getMergedTraits().xmlFlattened ? entries : { entry: entries };
  }
  if (schema.isTimestampSchema()) {
    // The JSON operations give Dates; a bare number there is the JSON protocols' epoch seconds.
    const date =
      value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : undefined;
    return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
  }
  if (schema.isBlobSchema()) {
    return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
  }
  if (typeof value === 'object') return undefined;
  return value;
}
