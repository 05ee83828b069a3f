import type { AwsError } from './types.ts';

export interface CursorPage<T> {
  items: T[];
  nextToken: string | undefined;
}

/**
 * Cursor pagination, as EC2 and SSM page their listings: the token carries the sort key of the
 * last item returned (and which listing it belongs to), so items added or removed between calls
 * never shift or repeat a page. `keyOf` must order the items the way the listing returns them;
 * `max` undefined returns everything. A token this did not write is `invalidToken()`, each
 * service's own error.
 */
export function cursorPage<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  opts: {
    listing: string;
    nextToken: string | undefined;
    max: number | undefined;
    invalidToken: () => AwsError;
  },
): CursorPage<T> {
  const sorted = [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  const after =
    opts.nextToken === undefined ? undefined : readToken(opts.nextToken, opts.listing, opts.invalidToken);
  const rest = after === undefined ? sorted : sorted.filter((i) => compare(keyOf(i), after) > 0);
  if (opts.max === undefined || rest.length <= opts.max) return { items: rest, nextToken: undefined };
  const page = rest.slice(0, opts.max);
  return { items: page, nextToken: writeToken(opts.listing, keyOf(page[page.length - 1]!)) };
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function writeToken(listing: string, key: string): string {
  return Buffer.from(JSON.stringify({ l: listing, k: key })).toString('base64url');
}

function readToken(token: string, listing: string, invalid: () => AwsError): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      l?: unknown;
      k?: unknown;
    };
    if (parsed.l === listing && typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through: a token we did not write is invalid
  }
  throw invalid();
}
