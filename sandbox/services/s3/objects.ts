import { createHash } from 'node:crypto';
import { RawResponse } from '../../protocol/rest-xml.ts';
import { AwsError, type SandboxRequest } from '../../protocol/types.ts';
import { notImplemented } from './buckets.ts';
import { verifyUpload } from './checksums.ts';
import { decodeAwsChunked, isAwsChunked } from './chunked.ts';
import type { S3Context } from './context.ts';
import { checkObjectKey } from './names.ts';
import { DEFAULT_CONTENT_TYPE, type StoredObject } from './store.ts';

/** Headers S3 stores with an object and returns on GET and HEAD. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];

/** Query parameters GetObject may carry that do not ask for a sub-resource. */
const GET_PARAMETERS = new Set([
  'x-id',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
]);

/** S3's limit on user metadata: names and values together, in bytes. */
const MAX_METADATA_BYTES = 2048;

export function requireBucket(ctx: S3Context, bucket: string): void {
  if (!ctx.store.bucket(bucket))
    throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
}

export function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function preconditionFailed(): AwsError {
  return new AwsError(
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    412,
  );
}

function etagMatches(condition: string, etag: string): boolean {
  return condition.split(',').some((c) => {
    const t = c.trim();
    return t === '*' || t.replace(/^W\//, '').replace(/"/g, '') === etag;
  });
}

export async function putObject(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  const sub = [...req.query.keys()].find((k) => k !== 'x-id');
  if (sub) throw notImplemented(`PUT object ?${sub}`);
  if (header(req, 'x-amz-copy-source')) throw notImplemented('CopyObject');
  requireBucket(ctx, bucket);
  checkObjectKey(key);
  const { data, trailers } = readUpload(req);
  const checksum = verifyUpload(req.headers, trailers, data);
  const existing = ctx.store.head(bucket, key);
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined && existing && etagMatches(ifNoneMatch, existing.etag))
    throw preconditionFailed();
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined) {
    if (!existing) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
    if (!etagMatches(ifMatch, existing.etag)) throw preconditionFailed();
  }
  const object: StoredObject = {
    key,
    size: data.length,
    etag: createHash('md5').update(data).digest('hex'),
    lastModified: ctx.now(),
    contentType: header(req, 'content-type') || DEFAULT_CONTENT_TYPE,
    headers: storedHeaders(req),
    metadata: userMetadata(req),
    ...(checksum ? { checksum } : {}),
  };
  await ctx.store.write(bucket, object, data);
  return new RawResponse(200, {
    etag: `"${object.etag}"`,
    'x-amz-server-side-encryption': 'AES256',
    ...checksumHeaders(object),
  });
}

/** The uploaded bytes, with aws-chunked framing removed and its length checked. */
export function readUpload(req: SandboxRequest): { data: Buffer; trailers: Record<string, string> } {
  if (!isAwsChunked(req.headers)) return { data: req.body, trailers: {} };
  const decoded = decodeAwsChunked(req.body);
  const declared = header(req, 'x-amz-decoded-content-length');
  if (declared !== undefined && Number(declared) !== decoded.data.length) {
    throw new AwsError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header',
      400,
    );
  }
  return decoded;
}

export function storedHeaders(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = header(req, name);
    // aws-chunked describes this request's framing, not the object.
    if (name === 'content-encoding' && value !== undefined) {
      value = value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '' && v !== 'aws-chunked')
        .join(', ');
    }
    if (value) out[name] = value;
  }
  return out;
}

export function userMetadata(req: SandboxRequest): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const text = Array.isArray(value) ? value.join(',') : value;
    out[key] = text;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new AwsError(
      'MetadataTooLarge',
      'Your metadata headers exceed the maximum allowed metadata size.',
      400,
    );
  }
  return out;
}

export function checksumHeaders(object: StoredObject): Record<string, string> {
  if (!object.checksum) return {};
  return {
    [`x-amz-checksum-${object.checksum.algorithm}`]: object.checksum.value,
    'x-amz-checksum-type': 'FULL_OBJECT',
  };
}

/**
 * GetObject and HeadObject: the object's headers (and bytes), with conditional requests, a single
 * byte range, and response-* overrides as S3 does them. HEAD carries the body too so that
 * Content-Length is the object's size; Node sends no body for HEAD.
 */
export async function getObject(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  const sub = [...req.query.keys()].find((k) => !GET_PARAMETERS.has(k));
  if (sub) throw notImplemented(`GET object ?${sub}`);
  requireBucket(ctx, bucket);
  const object = ctx.store.head(bucket, key);
  if (!object) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
  const notModified = checkConditions(req, object);
  const headers: Record<string, string> = {
    'content-type': req.query.get('response-content-type') ?? object.contentType,
    etag: `"${object.etag}"`,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
  if (notModified)
    return new RawResponse(304, { etag: headers.etag!, 'last-modified': headers['last-modified']! });
  for (const [name, value] of Object.entries(object.headers)) headers[name] = value;
  for (const name of STORED_HEADERS) {
    const override = req.query.get(`response-${name}`);
    if (override !== null) headers[name] = override;
  }
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  const body = await ctx.store.read(bucket, key);
  const range = parseRange(header(req, 'range'), body.length);
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${body.length}`;
    return new RawResponse(206, headers, body.subarray(range.start, range.end + 1));
  }
  // S3 returns the full-object checksum only when the client asks for it (x-amz-checksum-mode).
  if (header(req, 'x-amz-checksum-mode') === 'ENABLED') Object.assign(headers, checksumHeaders(object));
  return new RawResponse(200, headers, body);
}

/** RFC 7232's order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since. True means 304. */
function checkConditions(req: SandboxRequest, object: StoredObject): boolean {
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined && !etagMatches(ifMatch, object.etag)) throw preconditionFailed();
  const ifUnmodified = header(req, 'if-unmodified-since');
  if (ifMatch === undefined && ifUnmodified !== undefined) {
    const since = Date.parse(ifUnmodified);
    if (!Number.isNaN(since) && object.lastModified > since) throw preconditionFailed();
  }
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, object.etag);
  const ifModified = header(req, 'if-modified-since');
  if (ifModified !== undefined) {
    const since = Date.parse(ifModified);
    return !Number.isNaN(since) && object.lastModified <= since;
  }
  return false;
}

/** One `bytes=` range (first-last, first-, or -suffix); anything else means the whole object, as in S3. */
function parseRange(raw: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = raw === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(raw.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end || (m[1] === '' && Number(m[2]) === 0)) {
    throw new AwsError('InvalidRange', 'The requested range is not satisfiable', 416);
  }
  return { start, end };
}

export async function deleteObject(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  const sub = [...req.query.keys()].find((k) => k !== 'x-id');
  if (sub) throw notImplemented(`DELETE object ?${sub}`);
  requireBucket(ctx, bucket);
  // Deleting a key that does not exist succeeds, as in S3.
  await ctx.store.delete(bucket, key);
  return new RawResponse(204, {});
}
