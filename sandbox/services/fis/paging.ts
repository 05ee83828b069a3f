import { validationError } from './errors.ts';

/**
 * One page of a List operation. The token is opaque to callers: the offset of the next item and
 * the list it belongs to, so a token from one list is refused by another.
 */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  list: string,
  defaultMax = 100,
): { page: T[]; nextToken: string | undefined } {
  const max = parseMaxResults(query.get('maxResults'), defaultMax);
  const token = query.get('nextToken');
  const offset = token === null ? 0 : decodeToken(token, list);
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return { page, nextToken: next < items.length ? encodeToken(list, next) : undefined };
}

function parseMaxResults(raw: string | null, defaultMax: number): number {
  if (raw === null) return defaultMax;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw validationError(`'maxResults' must be an integer from 1 to 100 (got '${raw}')`);
  }
  return n;
}

function encodeToken(list: string, offset: number): string {
  return Buffer.from(JSON.stringify({ list, offset })).toString('base64url');
}

function decodeToken(token: string, list: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      list?: unknown;
      offset?: unknown;
    };
    if (parsed.list === list && Number.isInteger(parsed.offset) && (parsed.offset as number) >= 0) {
      return parsed.offset as number;
    }
  } catch {
    // falls through to the error below
  }
  throw validationError(`'nextToken' is not a token this operation issued`);
}
