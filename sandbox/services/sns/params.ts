import { type QueryValue, queryList, queryString } from '../../protocol/query.ts';
import { AwsError } from '../../protocol/types.ts';

/** Reading SNS's form parameters, answering with SNS's own error codes and wording. */

export type Params = Record<string, QueryValue>;

export function invalidParameter(detail: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${detail}`, 400);
}

export function invalidValue(detail: string): AwsError {
  return new AwsError('ParameterValueInvalid', detail, 400);
}

export function notFound(message: string): AwsError {
  return new AwsError('NotFound', message, 404);
}

export function optional(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const text = queryString(value);
  if (text === undefined) throw invalidParameter(name);
  return text;
}

export function required(params: Params, name: string): string {
  const value = optional(params, name);
  if (value === undefined || value === '') {
    throw invalidParameter(`${name} Reason: no value for required parameter`);
  }
  return value;
}

/** A query map (`Attributes.entry.N.key` / `.value`) as a record; `name` is for messages. */
export function stringMap(params: Params, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of queryList(params[name])) {
    if (typeof entry !== 'object' || Array.isArray(entry)) throw invalidParameter(name);
    const key = queryString(entry.key);
    const value = queryString(entry.value) ?? '';
    if (key === undefined) throw invalidParameter(name);
    out[key] = value;
  }
  return out;
}

/** `Tags.member.N.Key` / `.Value` as a record, checked as SNS checks tags. */
export function tagList(params: Params, name = 'Tags'): Record<string, string> {
  const out: Record<string, string> = {};
  const members = queryList(params[name]);
  if (members.length > 50)
    throw invalidParameter('Tags Reason: Could not complete request: tag quota of per resource exceeded');
  for (const member of members) {
    if (typeof member !== 'object' || Array.isArray(member)) throw invalidParameter(name);
    const key = queryString(member.Key);
    const value = queryString(member.Value) ?? '';
    if (!key || key.length > 128 || value.length > 256) {
      throw invalidParameter(
        'Tags Reason: Tag keys must be 1 to 128 characters and values at most 256 characters',
      );
    }
    out[key] = value;
  }
  return out;
}

/** `arn:aws:sns:<region>:<account>:<name>` → name, or undefined when it is not a topic ARN. */
export function topicNameFromArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:([\w-]{1,256}(?:\.fifo)?)$/.exec(arn)?.[1];
}

/** Opaque NextToken for SNS's lists: where the next page starts. */
export function pageOf<T>(items: T[], token: string | undefined, size: number): { page: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter('NextToken');
    start = decoded;
  }
  const page = items.slice(start, start + size);
  const nextStart = start + size;
  return nextStart < items.length
    ? { page, next: Buffer.from(String(nextStart)).toString('base64url') }
    : { page };
}
