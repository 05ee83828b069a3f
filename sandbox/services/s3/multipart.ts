import { createHash } from 'node:crypto';
import { RawResponse } from '../../protocol/rest-xml.ts';
import { AwsError, type SandboxRequest } from '../../protocol/types.ts';
import { asArray, parseXml, toXml } from '../../protocol/xml.ts';
import { notImplemented, owner, S3_XMLNS } from './buckets.ts';
import { verifyUpload } from './checksums.ts';
import type { S3Context } from './context.ts';
import { checkObjectKey } from './names.ts';
import { header, readUpload, requireBucket, storedHeaders, userMetadata } from './objects.ts';
import { compareKeys, DEFAULT_CONTENT_TYPE, type StoredObject } from './store.ts';
import type { Upload } from './uploads.ts';

/** Every part but the last must be at least 5 MiB. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const MAX_LIST = 1000;

function malformedXml(): AwsError {
  return new AwsError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
}

function invalidPart(): AwsError {
  return new AwsError(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    400,
  );
}

/** The query parameters an operation on an upload may carry; any other asks for something else. */
function refuseOther(req: SandboxRequest, allowed: string[], what: string): void {
  const other = [...req.query.keys()].find((k) => k !== 'x-id' && !allowed.includes(k));
  if (other) throw notImplemented(`${what} ?${other}`);
}

/** A `max-*` or `*-marker` count: a non-negative integer, capped at S3's page of 1000. */
function readCount(req: SandboxRequest, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 2_147_483_647) {
    throw new AwsError('InvalidArgument', `Provided ${name} not an integer or within integer range`, 400);
  }
  return Number(raw);
}

/** CreateMultipartUpload: `POST /<bucket>/<key>?uploads`, with the headers the object will get. */
export async function createMultipartUpload(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<Record<string, unknown> | RawResponse> {
  refuseOther(req, ['uploads'], 'CreateMultipartUpload');
  requireBucket(ctx, bucket);
  checkObjectKey(key);
  const algorithm = header(req, 'x-amz-checksum-algorithm')?.toUpperCase();
  const upload = await ctx.uploads.create({
    id: ctx.newUploadId(),
    bucket,
    key,
    initiated: ctx.now(),
    contentType: header(req, 'content-type') || DEFAULT_CONTENT_TYPE,
    headers: storedHeaders(req),
    metadata: userMetadata(req),
    ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
  });
  return new RawResponse(
    200,
    {
      'content-type': 'application/xml',
      'x-amz-server-side-encryption': 'AES256',
      ...(algorithm ? { 'x-amz-checksum-algorithm': algorithm } : {}),
    },
    toXml({
      InitiateMultipartUploadResult: {
        '@_xmlns': S3_XMLNS,
        Bucket: bucket,
        Key: key,
        UploadId: upload.id,
      },
    }),
  );
}

/** UploadPart: `PUT /<bucket>/<key>?partNumber=N&uploadId=…`. */
export async function uploadPart(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  refuseOther(req, ['partNumber', 'uploadId'], 'UploadPart');
  if (header(req, 'x-amz-copy-source')) throw notImplemented('UploadPartCopy');
  requireBucket(ctx, bucket);
  const raw = req.query.get('partNumber') ?? '';
  const number = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(number >= 1 && number <= MAX_PART_NUMBER)) {
    throw new AwsError(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      400,
    );
  }
  const upload = ctx.uploads.get(req.query.get('uploadId') ?? '', bucket, key);
  const { data, trailers } = readUpload(req);
  const checksum = verifyUpload(req.headers, trailers, data);
  const etag = createHash('md5').update(data).digest('hex');
  await ctx.uploads.putPart(upload, { number, etag, size: data.length, lastModified: ctx.now() }, data);
  return new RawResponse(200, {
    etag: `"${etag}"`,
    'x-amz-server-side-encryption': 'AES256',
    ...(checksum ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value } : {}),
  });
}

/** The parts a CompleteMultipartUpload body names, in the order given. */
function requestedParts(body: Buffer): { number: number; etag: string }[] {
  if (body.length === 0) throw malformedXml();
  const root = parseXml(body).CompleteMultipartUpload;
  if (root === undefined) throw malformedXml();
  const parts = asArray(
    typeof root === 'object' && root !== null ? (root as Record<string, unknown>).Part : undefined,
  );
  if (parts.length === 0) throw malformedXml();
  return parts.map((p) => {
    const part = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    const number =
      typeof part.PartNumber === 'string' && /^\d+$/.test(part.PartNumber)
        ? Number(part.PartNumber)
        : Number.NaN;
    if (!Number.isInteger(number) || typeof part.ETag !== 'string') throw malformedXml();
    return { number, etag: part.ETag.replace(/"/g, '') };
  });
}

/**
 * CompleteMultipartUpload: `POST /<bucket>/<key>?uploadId=…` with the parts to join, in ascending
 * order, each with the ETag UploadPart returned. The object's ETag is S3's multipart form: the MD5
 * of the parts' binary MD5s, a dash, and the number of parts.
 */
export async function completeMultipartUpload(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  refuseOther(req, ['uploadId'], 'CompleteMultipartUpload');
  requireBucket(ctx, bucket);
  const upload = ctx.uploads.get(req.query.get('uploadId') ?? '', bucket, key);
  const requested = requestedParts(req.body);
  for (let i = 1; i < requested.length; i++) {
    if (requested[i]!.number <= requested[i - 1]!.number) {
      throw new AwsError(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
        400,
      );
    }
  }
  const parts = requested.map(({ number, etag }) => {
    const part = upload.parts.get(number);
    if (!part || part.etag !== etag) throw invalidPart();
    return part;
  });
  parts.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_BYTES) {
      throw new AwsError(
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed object size.',
        400,
      );
    }
  });
  const digests = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
  const object: StoredObject = {
    key,
    size: parts.reduce((n, p) => n + p.size, 0),
    etag: `${createHash('md5').update(digests).digest('hex')}-${parts.length}`,
    lastModified: ctx.now(),
    contentType: upload.contentType,
    headers: upload.headers,
    metadata: upload.metadata,
  };
  const uploads = ctx.uploads;
  await ctx.store.writeChunks(
    bucket,
    object,
    (async function* () {
      for (const part of parts) yield await uploads.readPart(upload, part.number);
    })(),
  );
  await uploads.remove(upload.id);
  const host = header(req, 'host') ?? '127.0.0.1';
  return new RawResponse(
    200,
    { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256' },
    toXml({
      CompleteMultipartUploadResult: {
        '@_xmlns': S3_XMLNS,
        Location: `http://${host}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`,
        Bucket: bucket,
        Key: key,
        ETag: `"${object.etag}"`,
      },
    }),
  );
}

/** AbortMultipartUpload: `DELETE /<bucket>/<key>?uploadId=…`; its parts are gone with it. */
export async function abortMultipartUpload(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  refuseOther(req, ['uploadId'], 'AbortMultipartUpload');
  requireBucket(ctx, bucket);
  const upload = ctx.uploads.get(req.query.get('uploadId') ?? '', bucket, key);
  await ctx.uploads.remove(upload.id);
  return new RawResponse(204, {});
}

/** ListParts: `GET /<bucket>/<key>?uploadId=…`, by part number, paged by `part-number-marker`. */
export function listParts(
  ctx: S3Context,
  bucket: string,
  key: string,
  req: SandboxRequest,
): Record<string, unknown> {
  refuseOther(req, ['uploadId', 'max-parts', 'part-number-marker', 'encoding-type'], 'ListParts');
  requireBucket(ctx, bucket);
  const upload = ctx.uploads.get(req.query.get('uploadId') ?? '', bucket, key);
  const marker = readCount(req, 'part-number-marker', 0);
  const max = Math.min(readCount(req, 'max-parts', MAX_LIST), MAX_LIST);
  const after = [...upload.parts.values()]
    .filter((p) => p.number > marker)
    .sort((a, b) => a.number - b.number);
  const page = after.slice(0, max);
  const truncated = after.length > page.length;
  return {
    ListPartsResult: {
      '@_xmlns': S3_XMLNS,
      Bucket: bucket,
      Key: key,
      UploadId: upload.id,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.number ?? marker,
      MaxParts: max,
      IsTruncated: truncated,
      Part: page.map((p) => ({
        PartNumber: p.number,
        LastModified: new Date(p.lastModified),
        ETag: `"${p.etag}"`,
        Size: p.size,
      })),
      Initiator: owner(ctx),
      Owner: owner(ctx),
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: upload.checksumAlgorithm,
    },
  };
}

/**
 * ListMultipartUploads: `GET /<bucket>?uploads`, by key and then initiation, with `prefix`,
 * `delimiter` (keys rolled up into CommonPrefixes), `key-marker`/`upload-id-marker` and
 * `max-uploads`.
 */
export function listMultipartUploads(
  ctx: S3Context,
  bucket: string,
  req: SandboxRequest,
): Record<string, unknown> {
  refuseOther(
    req,
    ['uploads', 'prefix', 'delimiter', 'key-marker', 'upload-id-marker', 'max-uploads', 'encoding-type'],
    'ListMultipartUploads',
  );
  requireBucket(ctx, bucket);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const keyMarker = req.query.get('key-marker') ?? '';
  const idMarker = req.query.get('upload-id-marker') ?? '';
  const max = Math.min(readCount(req, 'max-uploads', MAX_LIST), MAX_LIST);
  const all = ctx.uploads.list(bucket).filter((u) => u.key.startsWith(prefix));
  // Past the key marker; with an upload-id marker, the marker key's later uploads too.
  const markerIndex = idMarker ? all.findIndex((u) => u.key === keyMarker && u.id === idMarker) : -1;
  // A marker that is a common prefix skips every key under it, as a bucket listing does.
  const skipUnder = delimiter && keyMarker.endsWith(delimiter) && !idMarker ? keyMarker : undefined;
  const rest = all.filter(
    (u, i) =>
      !(skipUnder && u.key.startsWith(skipUnder)) &&
      (!keyMarker ||
        compareKeys(u.key, keyMarker) > 0 ||
        (markerIndex >= 0 && u.key === keyMarker && i > markerIndex)),
  );
  const uploads: Upload[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  // Where the next page starts: the last upload (key and id) or common prefix of this one.
  let last: { key: string; id?: string } | undefined;
  for (const u of rest) {
    const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
    const rolled = cut >= 0 ? u.key.slice(0, cut + delimiter!.length) : undefined;
    if (rolled !== undefined && prefixes.at(-1) === rolled) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    if (rolled !== undefined) {
      prefixes.push(rolled);
      last = { key: rolled };
    } else {
      uploads.push(u);
      last = { key: u.key, id: u.id };
    }
  }
  return {
    ListMultipartUploadsResult: {
      '@_xmlns': S3_XMLNS,
      Bucket: bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: idMarker,
      NextKeyMarker: truncated ? last?.key : undefined,
      NextUploadIdMarker: truncated ? (last?.id ?? '') : undefined,
      Delimiter: delimiter,
      Prefix: prefix,
      MaxUploads: max,
      IsTruncated: truncated,
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.id,
        Initiator: owner(ctx),
        Owner: owner(ctx),
        StorageClass: 'STANDARD',
        Initiated: new Date(u.initiated),
        ChecksumAlgorithm: u.checksumAlgorithm,
      })),
      CommonPrefixes: prefixes.map((Prefix) => ({ Prefix })),
    },
  };
}
