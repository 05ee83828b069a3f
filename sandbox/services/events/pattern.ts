/**
 * EventBridge event patterns: compiled once (so a bad pattern is refused at PutRule, naming the
 * field at fault) and matched against events with EventBridge's semantics. Pure: no I/O, no clock.
 *
 * - A field maps to an array of matchers (any may match) or to a nested pattern; `$or` holds
 *   alternative patterns. All fields of one pattern must match.
 * - An event field holding an array matches if any of its elements matches; a nested pattern
 *   applied to an array of objects must match one element as a whole.
 * - Only leaves (strings, numbers, booleans, null) are values: a field that is absent, an empty
 *   array or an object has no value, and only `{"exists": false}` matches it.
 * - `anything-but` matches a value the inner test does not match, whatever its type (the number 5
 *   is anything but "5"), and never matches a field without a value.
 */

export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternException';
  }
}

type Leaf = string | number | boolean | null;

/** One compiled test of a single leaf value. */
type ValueTest = (v: Leaf) => boolean;

type FieldMatcher =
  | { kind: 'test'; test: ValueTest }
  | { kind: 'exists'; exists: boolean }
  | { kind: 'anything-but'; test: ValueTest };

interface CompiledPattern {
  fields: { name: string; leaf: FieldMatcher[] | undefined; nested: CompiledPattern | undefined }[];
  or: CompiledPattern[][];
}

export interface EventPattern {
  /** The pattern as given (JSON text). */
  readonly source: string;
  matches(event: unknown): boolean;
}

const MAX_PATTERN_LENGTH = 4096;

/** Parses and checks a pattern; throws InvalidEventPatternError naming the problem. */
export function compilePattern(pattern: string | Record<string, unknown>): EventPattern {
  const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  if (text.length > MAX_PATTERN_LENGTH) {
    throw new InvalidEventPatternError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InvalidEventPatternError(`not JSON (${(e as Error).message})`);
  }
  if (!isObject(parsed)) throw new InvalidEventPatternError('the pattern must be a JSON object');
  if (Object.keys(parsed).length === 0) throw new InvalidEventPatternError('the pattern is empty');
  const compiled = compileObject(parsed, '');
  return { source: text, matches: (event) => matchObject(compiled, event) };
}

function compileObject(obj: Record<string, unknown>, path: string): CompiledPattern {
  const out: CompiledPattern = { fields: [], or: [] };
  for (const [name, value] of Object.entries(obj)) {
    const at = path ? `${path}.${name}` : name;
    if (name === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        throw new InvalidEventPatternError(`"${at}" must be an array of at least two patterns`);
      }
      out.or.push(value.map((alt, i) => compileObject(alt as Record<string, unknown>, `${at}[${i}]`)));
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPatternError(`"${at}" is an empty array`);
      out.fields.push({ name, leaf: value.map((m) => compileMatcher(m, at)), nested: undefined });
    } else if (isObject(value)) {
      if (Object.keys(value).length === 0) throw new InvalidEventPatternError(`"${at}" is an empty object`);
      out.fields.push({ name, leaf: undefined, nested: compileObject(value, at) });
    } else {
      throw new InvalidEventPatternError(`"${at}" must be an object or an array`);
    }
  }
  return out;
}

function compileMatcher(m: unknown, at: string): FieldMatcher {
  if (!isObject(m)) {
    if (m === null || ['string', 'number', 'boolean'].includes(typeof m)) {
      return { kind: 'test', test: equalsTest(m as Leaf) };
    }
    throw new InvalidEventPatternError(`"${at}": match values must be strings, numbers, booleans or null`);
  }
  const keys = Object.keys(m);
  if (keys.length !== 1) {
    throw new InvalidEventPatternError(
      `"${at}": a filter object holds exactly one operator, not ${keys.length}`,
    );
  }
  const op = keys[0]!;
  const arg = m[op];
  const where = `"${at}" ${op}`;
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw new InvalidEventPatternError(`${where} must be true or false`);
      return { kind: 'exists', exists: arg };
    case 'anything-but':
      return { kind: 'anything-but', test: anythingButTest(arg, where) };
    case 'numeric':
      return { kind: 'test', test: numericTest(arg, where) };
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
    case 'cidr':
      return { kind: 'test', test: stringFilter(op, arg, where) };
    default:
      throw new InvalidEventPatternError(`"${at}": unknown filter "${op}"`);
  }
}

function equalsTest(expected: Leaf): ValueTest {
  return (v) => v === expected;
}

/** The string filters, which also serve inside anything-but. */
function stringFilter(op: string, arg: unknown, where: string): ValueTest {
  if (op === 'prefix' || op === 'suffix') {
    // `{"prefix": {"equals-ignore-case": "x"}}` folds case before comparing.
    let fold = false;
    let value = arg;
    if (isObject(arg) && Object.keys(arg).length === 1 && 'equals-ignore-case' in arg) {
      fold = true;
      value = arg['equals-ignore-case'];
    }
    if (typeof value !== 'string') throw new InvalidEventPatternError(`${where} must be a string`);
    const want = fold ? value.toLowerCase() : value;
    return (v) => {
      if (typeof v !== 'string') return false;
      const got = fold ? v.toLowerCase() : v;
      return op === 'prefix' ? got.startsWith(want) : got.endsWith(want);
    };
  }
  if (op === 'equals-ignore-case') {
    if (typeof arg !== 'string') throw new InvalidEventPatternError(`${where} must be a string`);
    const want = arg.toLowerCase();
    return (v) => typeof v === 'string' && v.toLowerCase() === want;
  }
  if (op === 'wildcard') {
    if (typeof arg !== 'string') throw new InvalidEventPatternError(`${where} must be a string`);
    const re = wildcardRegExp(arg, where);
    return (v) => typeof v === 'string' && re.test(v);
  }
  if (op === 'cidr') {
    if (typeof arg !== 'string') throw new InvalidEventPatternError(`${where} must be a string`);
    return cidrTest(arg, where);
  }
  throw new InvalidEventPatternError(`${where}: unknown filter`);
}

function wildcardRegExp(pattern: string, where: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(`${where}: "\\" may only escape "*" or "\\"`);
      }
      re += escapeRegExp(next);
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*')
        throw new InvalidEventPatternError(`${where}: consecutive wildcard characters`);
      re += '.*';
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function cidrTest(cidr: string, where: string): ValueTest {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  const base = m ? ipv4(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : Number.NaN;
  if (base === undefined || !(bits >= 0 && bits <= 32)) {
    throw new InvalidEventPatternError(
      `${where}: "${cidr}" is not an IPv4 CIDR block (IPv6 is not emulated)`,
    );
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = ipv4(v);
    return ip !== undefined && (ip & mask) >>> 0 === (base & mask) >>> 0;
  };
}

function ipv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

function anythingButTest(arg: unknown, where: string): ValueTest {
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    const op = keys[0];
    if (keys.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(op!)) {
      throw new InvalidEventPatternError(
        `${where} takes a value, a list of values, or one of prefix, suffix, equals-ignore-case, wildcard`,
      );
    }
    const inner = arg[op!];
    // equals-ignore-case and wildcard take a list too inside anything-but.
    const tests = (
      Array.isArray(inner) && (op === 'equals-ignore-case' || op === 'wildcard') ? inner : [inner]
    ).map((x) => stringFilter(op!, x, `${where}.${op}`));
    if (tests.length === 0) throw new InvalidEventPatternError(`${where}.${op} is an empty array`);
    return (v) => tests.some((t) => t(v));
  }
  const values = Array.isArray(arg) ? arg : [arg];
  if (values.length === 0) throw new InvalidEventPatternError(`${where} is an empty array`);
  const allStrings = values.every((x) => typeof x === 'string');
  const allNumbers = values.every((x) => typeof x === 'number');
  if (!allStrings && !allNumbers) {
    throw new InvalidEventPatternError(`${where} must be strings only or numbers only`);
  }
  return (v) => (values as Leaf[]).includes(v);
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function numericTest(arg: unknown, where: string): ValueTest {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    throw new InvalidEventPatternError(`${where} must be [operator, number] or a range of two such pairs`);
  }
  const pairs: [string, number][] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = arg[i + 1];
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) {
      throw new InvalidEventPatternError(`${where}: "${String(op)}" is not one of =, <, <=, >, >=`);
    }
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new InvalidEventPatternError(`${where}: "${op}" must be followed by a number`);
    }
    pairs.push([op, n]);
  }
  if (pairs.length === 2) {
    const lower = pairs.find(([op]) => LOWER.has(op));
    const upper = pairs.find(([op]) => UPPER.has(op));
    if (!lower || !upper)
      throw new InvalidEventPatternError(`${where}: a range needs one lower and one upper bound`);
    if (lower[1] >= upper[1]) throw new InvalidEventPatternError(`${where}: the range is empty`);
  }
  return (v) =>
    typeof v === 'number' &&
    pairs.every(([op, n]) => {
      switch (op) {
        case '=':
          return v === n;
        case '<':
          return v < n;
        case '<=':
          return v <= n;
        case '>':
          return v > n;
        default:
          return v >= n;
      }
    });
}

function matchObject(p: CompiledPattern, value: unknown): boolean {
  const obj = isObject(value) ? value : undefined;
  for (const f of p.fields) {
    const v = obj?.[f.name];
    if (f.nested) {
      // A nested pattern meets an array of objects one element at a time; an absent field can
      // still satisfy it through exists:false.
      const candidates = Array.isArray(v) ? v.flat(Number.POSITIVE_INFINITY).filter(isObject) : [v];
      if (candidates.length === 0) candidates.push(undefined);
      if (!candidates.some((c) => matchObject(f.nested!, c))) return false;
    } else if (!matchLeaf(f.leaf!, leafValues(v))) {
      return false;
    }
  }
  return p.or.every((alternatives) => alternatives.some((alt) => matchObject(alt, value)));
}

function matchLeaf(matchers: FieldMatcher[], values: Leaf[]): boolean {
  return matchers.some((m) => {
    if (m.kind === 'exists') return m.exists === values.length > 0;
    if (m.kind === 'anything-but') return values.some((v) => !m.test(v));
    return values.some(m.test);
  });
}

function leafValues(v: unknown): Leaf[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(leafValues);
  if (isObject(v)) return [];
  return [v as Leaf];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
