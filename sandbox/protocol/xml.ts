import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError } from './types.ts';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  format: false,
});

/**
 * Renders `{ Root: {...} }` as an XML document. Arrays become repeated elements, so a list is
 * written as `{ item: [...] }` (EC2) or `{ member: [...] }` (query) or with the element name the
 * service uses (Route 53's `HostedZone`). Dates become ISO-8601, as every XML protocol expects.
 */
export function toXml(doc: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(normalise(doc))}`;
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = normalise(v);
    }
    return out;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
});

/** Parses an XML request body; anything that is not well-formed XML is the service's MalformedXML. */
export function parseXml(body: Buffer | string, errorCode = 'MalformedXML'): Record<string, unknown> {
  const text = body.toString();

  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new AwsError(errorCode, `The XML you provided was not well-formed: ${valid.err.msg}`);
  }
  return parser.parse(text) as Record<string, unknown>;
}

/** XML lists with one element parse as a single object; this always gives an array. */
export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
