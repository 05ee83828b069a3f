import { AwsError } from '../../protocol/types.ts';
import { asArray, parseXml } from '../../protocol/xml.ts';

/**
 * Reading Route 53's XML request bodies. The parser gives every leaf as a string; these helpers
 * check each field's type where it is read and answer with Route 53's own validation message
 * (`1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …`).
 */

export const ROUTE53_XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export type XmlNode = Record<string, unknown>;

export function invalidInput(message: string): AwsError {
  return new AwsError('InvalidInput', message, 400);
}

export function constraintError(path: string, value: unknown, constraint: string): AwsError {
  return invalidInput(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Parses the body and returns its root element, which must be `root`. */
export function readBody(body: Buffer, root: string): XmlNode {
  if (body.length === 0) throw invalidInput(`The request body must contain a ${root} element`);
  const doc = parseXml(body, 'InvalidInput');
  const node = doc[root];
  if (node === undefined) throw invalidInput(`Invalid XML: the root element must be ${root}`);
  return asNode(node);
}

function asNode(value: unknown): XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : {};
}

export function child(node: XmlNode, key: string): XmlNode | undefined {
  const value = node[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalidInput(`Invalid XML: element ${key} appears more than once`);
  return asNode(value);
}

export function text(node: XmlNode, key: string): string | undefined {
  const value = node[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) throw invalidInput(`Invalid XML: element ${key} appears more than once`);
  // `<Comment></Comment>` parses as '' and `<Comment/>` as an empty object.
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '';
  throw invalidInput(`Invalid XML: element ${key} must contain text`);
}

export function requiredText(node: XmlNode, key: string, path: string): string {
  const value = text(node, key);
  if (value === undefined || value === '') throw constraintError(path, 'null', 'Member must not be null');
  return value;
}

export function integer(
  node: XmlNode,
  key: string,
  path: string,
  range?: { min?: number; max?: number },
): number | undefined {
  const raw = text(node, key);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidInput(`Invalid XML: ${path} must be an integer, not '${raw}'`);
  const value = Number(raw);
  if (range?.min !== undefined && value < range.min) {
    throw constraintError(path, raw, `Member must have value greater than or equal to ${range.min}`);
  }
  if (range?.max !== undefined && value > range.max) {
    throw constraintError(path, raw, `Member must have value less than or equal to ${range.max}`);
  }
  return value;
}

export function boolean(node: XmlNode, key: string, path: string): boolean | undefined {
  const raw = text(node, key);
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalidInput(`Invalid XML: ${path} must be true or false, not '${raw}'`);
}

export function oneOf<T extends string>(
  node: XmlNode,
  key: string,
  path: string,
  allowed: readonly T[],
): T | undefined {
  const raw = text(node, key);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw constraintError(path, raw, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return raw as T;
}

/** A wrapped list (`<Regions><Region>a</Region><Region>b</Region></Regions>`) as strings. */
export function textList(node: XmlNode, key: string, member: string): string[] | undefined {
  const wrapper = node[key];
  if (wrapper === undefined) return undefined;
  if (wrapper === '' || typeof wrapper !== 'object' || wrapper === null) return [];
  return asArray((wrapper as XmlNode)[member]).map((v) => (typeof v === 'string' ? v : ''));
}

/** A wrapped list of elements. */
export function nodeList(node: XmlNode, key: string, member: string): XmlNode[] | undefined {
  const wrapper = node[key];
  if (wrapper === undefined) return undefined;
  if (wrapper === '' || typeof wrapper !== 'object' || wrapper === null) return [];
  return asArray((wrapper as XmlNode)[member]).map(asNode);
}

/** A `maxitems` query parameter: Route 53 caps it (100 for most lists, 300 for record sets). */
export function maxItems(query: URLSearchParams, fallback: number): number {
  const raw = query.get('maxitems');
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw invalidInput(`Invalid value for maxitems: '${raw}' is not a positive integer`);
  }
  return Math.min(Number(raw), fallback);
}
