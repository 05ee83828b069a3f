import { type CursorPage, cursorPage } from '../../protocol/cursor-page.ts';
import { AwsError } from '../../protocol/types.ts';

export type Page<T> = CursorPage<T>;

/** SSM's listings page by cursor (see cursorPage); a token it did not write is InvalidNextToken. */
export function pageOf<T>(
  items: readonly T[],
  sortKey: (item: T) => string,
  opts: { listing: string; nextToken: string | undefined; max: number },
): Page<T> {
  return cursorPage(items, sortKey, {
    ...opts,
    invalidToken: () => new AwsError('InvalidNextToken', "The specified token isn't valid."),
  });
}
