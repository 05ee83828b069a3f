import { AwsError } from '../../protocol/types.ts';

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
}

/**
 * Cursor pagination: the token carries the sort key of the last item returned (and which listing it
 * belongs to), so items added or removed between calls never shift or repeat a page. `sortKey` must
 * order the items the way the listing returns them.
 */
export function pageOf<T>(
  items: readonly T[],
  sortKey: (item: T) => string,
  opts: { listing: string; nextToken: string | undefined; max: number },
): Page<T> {
  const sorted = [...items].sort((a, b) => compare(sortKey(a), sortKey(b)));
  const after = opts.nextToken === undefined ? undefined : readToken(opts.nextToken, opts.listing);
  const rest = after === undefined ? sorted : sorted.filter((i) => compare(sortKey(i), after) > 0);
  const page = rest.slice(0, opts.max);
  const last = page[page.length - 1];
  const nextToken =
    rest.length > opts.max && last !== undefined ? writeToken(opts.listing, sortKey(last)) : undefined;
  return { items: page, nextToken };
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function writeToken(listing: string, key: string): string {
  return Buffer.from(JSON.stringify({ l: listing, k: key })).toString('base64url');
}

function readToken(token: string, listing: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      l?: unknown;
      k?: unknown;
    };
    if (parsed.l === listing && typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through: any token we did not write is invalid
  }
  throw new AwsError('InvalidNextToken', "The specified token isn't valid.");
}
