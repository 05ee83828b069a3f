import type { FieldPath } from '../fis/problem.ts';
import { quote } from '../input/quote.ts';
import { closest } from '../text/closest.ts';
import type * as z from '../zod.ts';

/** One thing wrong with a file, in words for the person who wrote it. */
export interface FieldIssue {
  path: FieldPath;
  detail: string;
}

/**
 * The issue to report from a failed parse, worded for a person editing YAML or JSON. A misspelt
 * field comes first: "stopCondition is not a field" says more than "stopConditions is required".
 */
export function describeIssue(error: z.core.$ZodError, schema: z.core.$ZodType): FieldIssue {
  return describeIssues(error.issues, schema)[0]!;
}

/** Every issue of a failed parse, described as describeIssue does, misspelt fields first. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], schema: z.core.$ZodType): FieldIssue[] {
  return [
    ...issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => unknownField(pathOf(issue), key, schema))
        : [],
    ),
    ...issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => describeOne(i, schema)),
  ];
}

/** The known fields of the object a field was found in, and the one it most likely meant. */
export function fieldsBeside(
  path: FieldPath,
  key: string,
  schema: z.core.$ZodType,
): { known: string[] | undefined; guess: string | undefined } {
  const known = knownFields(schema, path);
  return { known, guess: known && closest(key, known) };
}

function unknownField(path: FieldPath, key: string, schema: z.core.$ZodType): FieldIssue {
  const { known, guess } = fieldsBeside(path, key, schema);
  return {
    path: [...path, key],
    detail: `is not a field faultline knows${guess ? ` (did you mean ${guess}?)` : ''}${known ? `; ${path.length ? `${String(path.at(-1))} takes` : 'the file takes'}: ${known.join(', ')}` : ''}`,
  };
}

function pathOf(issue: z.core.$ZodIssue): FieldPath {
  return issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
}

function describeOne(issue: z.core.$ZodIssue, schema: z.core.$ZodType): FieldIssue {
  const path = pathOf(issue);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownField(path, issue.keys[0]!, schema);
    case 'invalid_type':
      if (input === undefined) return { path, detail: 'is required' };
      return {
        path,
        detail: `must be ${kindName(issue.expected)} (got ${describeValue(input)})${quoteHint(issue.expected, input, path)}`,
      };
    case 'invalid_value':
      if (!isDefaultMessage(issue.message)) return { path, detail: withInput(issue.message, input) };
      return {
        path,
        detail: `must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.join(', ')}`} (got ${describeValue(input)})`,
      };
    case 'invalid_key': {
      const inner = issue.issues[0];
      return {
        path,
        detail: `${quote(path.at(-1))} is not a valid name: ${inner?.message ?? issue.message}`,
      };
    }
    case 'too_small':
    case 'too_big':
      return {
        path,
        detail: isDefaultMessage(issue.message) ? boundText(issue) : withInput(issue.message, input),
      };
    default:
      return { path, detail: withInput(issue.message, input) };
  }
}

function withInput(message: string, input: unknown): string {
  const scalar = typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean';
  return scalar && !message.includes('(got ') ? `${message} (got ${describeValue(input)})` : message;
}

/** zod's own messages start with a capital ("Too small: …"); the schema's are written in lower case. */
function isDefaultMessage(message: string): boolean {
  return /^(Too small|Too big|Invalid)/.test(message);
}

function boundText(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = Number(
    small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum,
  );
  const inclusive = issue.inclusive !== false;
  const input = (issue as { input?: unknown }).input;
  switch (issue.origin) {
    case 'array':
    case 'set':
      return small
        ? `needs at least ${limit} ${limit === 1 ? 'entry' : 'entries'}`
        : `takes at most ${limit} entries`;
    case 'string':
      return `must be ${small ? 'at least' : 'at most'} ${limit} characters long (got ${String(input).length})`;
    default: {
      const word = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
      return `must be ${word} ${limit} (got ${describeValue(input)})`;
    }
  }
}

function kindName(expected: string): string {
  const names: Record<string, string> = {
    object: 'a map of fields',
    record: 'a map',
    array: 'a list',
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
  };
  return names[expected] ?? expected;
}

function describeValue(v: unknown): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return typeof v === 'string' ? quote(v) : String(v);
}

/**
 * YAML reads `true` and `10` as a boolean and a number; FIS parameters, tags and filter values
 * are text, so there the fix is quotes.
 */
function quoteHint(expected: string, input: unknown, path: FieldPath): string {
  const textMap = path.some((p) => p === 'parameters' || p === 'tags' || p === 'filters');
  return expected === 'string' && textMap && (typeof input === 'boolean' || typeof input === 'number')
    ? `: quote it, e.g. '${String(input)}'`
    : '';
}

interface DefView {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
}

/** The schema's definition, read through zod core's `_zod`: the same for classic and mini schemas. */
const def = (s: z.core.$ZodType): DefView => s._zod.def as DefView;

/** The field names the object at `path` takes, read from the schema (undefined when it cannot tell). */
function knownFields(schema: z.core.$ZodType, path: FieldPath): string[] | undefined {
  let s: z.core.$ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!s) return undefined;
    const d = def(s);
    s = unwrap(
      d.type === 'object'
        ? d.shape?.[String(key)]
        : d.type === 'record'
          ? d.valueType
          : d.type === 'array'
            ? d.element
            : undefined,
    );
  }
  const shape = s && def(s).type === 'object' ? def(s).shape : undefined;
  return shape ? Object.keys(shape) : undefined;
}

function unwrap(s: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  while (s) {
    const d = def(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
  return s;
}
