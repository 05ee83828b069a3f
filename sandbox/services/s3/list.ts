import { AwsError } from '../../protocol/types.ts';
import { compareKeys, type StoredObject } from './store.ts';

export interface ListQuery {
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  /** List only keys after this one (StartAfter, Marker, or where a continuation token left off). */
  after: string | undefined;
  /** The previous page ended with this common prefix: skip every key under it. */
  afterPrefix: string | undefined;
}

export interface ListPage {
  objects: StoredObject[];
  commonPrefixes: string[];
  truncated: boolean;
  /** Where the next page starts: the last key or common prefix of this one. */
  last: { value: string; isPrefix: boolean } | undefined;
}

/**
 * One page of a bucket listing with S3's semantics: keys in order after the start point, those
 * containing the delimiter after the prefix rolled up into common prefixes, and MaxKeys counting
 * keys and common prefixes together.
 */
export function listPage(all: StoredObject[], q: ListQuery): ListPage {
  const objects: StoredObject[] = [];
  const commonPrefixes: string[] = [];
  let last: ListPage['last'];
  let truncated = false;
  for (const object of all) {
    const key = object.key;
    if (!key.startsWith(q.prefix)) continue;
    if (q.after !== undefined && compareKeys(key, q.after) <= 0) continue;
    if (q.afterPrefix !== undefined && key.startsWith(q.afterPrefix)) continue;
    const cut = q.delimiter ? key.indexOf(q.delimiter, q.prefix.length) : -1;
    const rolled = cut >= 0 ? key.slice(0, cut + q.delimiter!.length) : undefined;
    if (rolled !== undefined && rolled === last?.value && last.isPrefix) continue;
    if (objects.length + commonPrefixes.length >= q.maxKeys) {
      truncated = true;
      break;
    }
    if (rolled !== undefined) {
      commonPrefixes.push(rolled);
      last = { value: rolled, isPrefix: true };
    } else {
      objects.push(object);
      last = { value: key, isPrefix: false };
    }
  }
  return { objects, commonPrefixes, truncated, last };
}

/** Continuation tokens are opaque to clients; this one says where the previous page ended. */
export function continuationToken(last: { value: string; isPrefix: boolean }): string {
  return Buffer.from(JSON.stringify([last.isPrefix ? 'p' : 'k', last.value])).toString('base64url');
}

export function readContinuationToken(token: string): { value: string; isPrefix: boolean } {
  try {
    const [kind, value] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if ((kind === 'p' || kind === 'k') && typeof value === 'string') return { value, isPrefix: kind === 'p' };
  } catch {
    // fall through to S3's answer for a token it did not issue
  }
  throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', 400);
}

/** S3's max-keys: at most 1000 per page; 1000 when absent. */
export function readMaxKeys(raw: string | null): number {
  if (raw === null) return 1000;
  if (!/^\d+$/.test(raw)) {
    throw new AwsError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
  }
  return Math.min(Number(raw), 1000);
}
