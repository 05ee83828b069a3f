import { type CursorPage, cursorPage } from '../../protocol/cursor-page.ts';
import { type QueryValue, queryList } from '../../protocol/query.ts';
import { AwsError } from '../../protocol/types.ts';

/**
 * Reading EC2's query parameters at the edge. EC2 answers every malformed value with
 * `InvalidParameterValue` and a missing one with `MissingParameter`, worded as EC2 words them.
 */
export type Params = Record<string, QueryValue>;

export function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

export function stringParam(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidValue(`Value for parameter ${name} is invalid.`);
  return value;
}

export function booleanParam(params: Params, name: string): boolean {
  const value = stringParam(params, name);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') {
    throw invalidValue(`Value (${value}) for parameter ${name} is invalid. Expected: 'true' or 'false'.`);
  }
  return value === 'true';
}

/** A list such as `InstanceId.1=…&InstanceId.2=…`, deduplicated in request order. */
export function stringListParam(params: Params, name: string): string[] {
  const out: string[] = [];
  for (const item of queryList(params[name])) {
    if (typeof item !== 'string') throw invalidValue(`Value for parameter ${name} is invalid.`);
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

/** `MaxResults`, which EC2 accepts from 5 to 1000. */
export function maxResultsParam(params: Params, name = 'MaxResults'): number | undefined {
  const raw = stringParam(params, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 5) {
    throw invalidValue(
      `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value greater than 5.`,
    );
  }
  if (n > 1000) {
    throw invalidValue(
      `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value less than 1000.`,
    );
  }
  return n;
}

/** DryRun=true: the request was valid, so EC2 answers DryRunOperation instead of acting. */
export function checkDryRun(params: Params): void {
  if (booleanParam(params, 'DryRun')) {
    throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  }
}

export type Ec2Page<T> = CursorPage<T>;

/**
 * EC2 pagination: the token names the last item returned, so the next page starts after it even
 * if instances were launched or terminated in between.
 */
export function pageAfter<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  opts: { listing: string; nextToken: string | undefined; max: number | undefined },
): Ec2Page<T> {
  return cursorPage(items, keyOf, {
    ...opts,
    invalidToken: () =>
      invalidValue(`Value ( ${opts.nextToken} ) for parameter NextToken is invalid. The token is invalid.`),
  });
}
