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

/**
 * Parses an XML request body; anything that is not well-formed XML is the service's own 400 error
 * (S3's MalformedXML, Route 53's InvalidInput). AWS's request bodies never carry a document type
 * declaration, so one is refused outright: that closes external entities (a file or URL read into
 * the request) and entity expansion bombs alike, instead of leaving them to the parser.
 */
export function parseXml(body: Buffer | string, errorCode = 'MalformedXML'): Record<string, unknown> {
  const text = body.toString();
  const malformed = (why: string) =>
    new AwsError(
      errorCode,
      `The XML you provided was not well-formed or did not validate against our published schema (${why})`,
    );
  // Outside CDATA sections and comments a `<` is always markup, so this finds only real declarations.
  const markup = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  if (/<!(DOCTYPE|ENTITY)/i.test(markup)) {
    throw malformed('document type declarations and entities are not accepted');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(valid.err.msg);
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : String(e));
  }
}

/** XML lists with one element parse as a single object; this always gives an array. */
export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
