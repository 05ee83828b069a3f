import { AwsError } from '../../protocol/types.ts';

/**
 * Reading SSM's JSON input at the edge. A member of the wrong JSON type is a SerializationException
 * (the service cannot even decode it); a well-typed value that breaks a documented constraint is a
 * ValidationException worded the way AWS words it, naming the member in lower camel case.
 */
export type JsonInput = Record<string, unknown>;

export function constraintError(member: string, value: unknown, constraint: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value ${shown(value)} at '${fieldName(member)}' failed to satisfy constraint: ${constraint}`,
  );
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  return `'${JSON.stringify(value)}'`;
}

function fieldName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

function typeError(member: string, expected: string): AwsError {
  return new AwsError('SerializationException', `${member} must be ${expected}`);
}

interface Length {
  min?: number;
  max?: number;
}

function checkLength(member: string, value: string, { min = 0, max }: Length): string {
  if (value.length < min) {
    throw constraintError(member, value, `Member must have length greater than or equal to ${min}`);
  }
  if (max !== undefined && value.length > max) {
    throw constraintError(member, value, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

export function optionalString(input: JsonInput, member: string, length: Length = {}): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(member, 'a string');
  return checkLength(member, value, length);
}

export function requiredString(input: JsonInput, member: string, length: Length = {}): string {
  const value = optionalString(input, member, length);
  if (value === undefined) throw constraintError(member, undefined, 'Member must not be null');
  return value;
}

export function optionalEnum<T extends string>(
  input: JsonInput,
  member: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw constraintError(member, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

export function optionalBoolean(input: JsonInput, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError(member, 'a boolean');
  return value;
}

export function optionalInteger(
  input: JsonInput,
  member: string,
  range: { min: number; max: number },
): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(member, 'an integer');
  if (value < range.min) {
    throw constraintError(member, value, `Member must have value greater than or equal to ${range.min}`);
  }
  if (value > range.max) {
    throw constraintError(member, value, `Member must have value less than or equal to ${range.max}`);
  }
  return value;
}

export function optionalStringList(
  input: JsonInput,
  member: string,
  size: { min?: number; max?: number } = {},
  itemLength: Length = {},
): string[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw typeError(member, 'a list of strings');
  }
  const list = value as string[];
  if (size.min !== undefined && list.length < size.min) {
    throw constraintError(member, list, `Member must have length greater than or equal to ${size.min}`);
  }
  if (size.max !== undefined && list.length > size.max) {
    throw constraintError(member, list, `Member must have length less than or equal to ${size.max}`);
  }
  for (const item of list) checkLength(member, item, itemLength);
  return list;
}

export function requiredStringList(
  input: JsonInput,
  member: string,
  size: { min?: number; max?: number } = {},
  itemLength: Length = {},
): string[] {
  const list = optionalStringList(input, member, size, itemLength);
  if (list === undefined) throw constraintError(member, undefined, 'Member must not be null');
  return list;
}

/** A list of JSON objects (filters, tags); each element is read by the caller. */
export function optionalObjectList(
  input: JsonInput,
  member: string,
  size: { max?: number } = {},
): JsonInput[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null || Array.isArray(v))) {
    throw typeError(member, 'a list of objects');
  }
  if (size.max !== undefined && value.length > size.max) {
    throw constraintError(member, value, `Member must have length less than or equal to ${size.max}`);
  }
  return value as JsonInput[];
}

/** Automation's `Parameters`: a map of string to list of strings. */
export function optionalStringListMap(
  input: JsonInput,
  member: string,
): Record<string, string[]> | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError(member, 'a map');
  const out: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
      throw typeError(`${member}.${key}`, 'a list of strings');
    }
    out[key] = [...(list as string[])];
  }
  return out;
}

/** `Tags: [{ Key, Value }]` as a record, validated as SSM validates tags. */
export function optionalTags(input: JsonInput, member = 'Tags'): Record<string, string> | undefined {
  const list = optionalObjectList(input, member, { max: 1000 });
  if (list === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of list) {
    const key = requiredString(tag, 'Key', { min: 1, max: 128 });
    const value = requiredString(tag, 'Value', { min: 0, max: 256 });
    tags[key] = value;
  }
  return tags;
}
