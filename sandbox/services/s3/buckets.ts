import { createHash } from 'node:crypto';
import { RawResponse } from '../../protocol/rest-xml.ts';
import { AwsError, type SandboxRequest } from '../../protocol/types.ts';
import { parseXml } from '../../protocol/xml.ts';
import type { S3Context } from './context.ts';
import { continuationToken, listPage, readContinuationToken, readMaxKeys } from './list.ts';
import { checkBucketName } from './names.ts';
import type { StoredObject } from './store.ts';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Query parameters a plain bucket listing may carry; anything else asks for a sub-resource. */
const LIST_PARAMETERS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'marker',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'encoding-type',
  'x-id',
]);

export function notImplemented(what: string): AwsError {
  return new AwsError(
    'NotImplemented',
    `A header or query you provided implies functionality that is not implemented (${what} is not emulated by the faultline sandbox)`,
    501,
  );
}

/** The account's canonical user id, as S3 shows it in Owner elements. */
export function owner(ctx: S3Context): Record<string, string> {
  return {
    ID: createHash('sha256').update(`canonical-user\n${ctx.core.world.accountId}`).digest('hex'),
    DisplayName: 'faultline-sandbox',
  };
}

export async function createBucket(
  ctx: S3Context,
  bucket: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  const sub = [...req.query.keys()].find((k) => k !== 'x-id');
  if (sub) throw notImplemented(`PUT bucket ?${sub}`);
  checkBucketName(bucket);
  const constraint = readLocationConstraint(req.body);
  const region = req.region;
  if (constraint === 'us-east-1') {
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400);
  }
  if ((constraint ?? 'us-east-1') !== region) {
    throw new AwsError(
      'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  }
  const existing = ctx.store.bucket(bucket);
  // For legacy compatibility S3 answers 200 when you re-create a bucket you own in us-east-1.
  if (existing && region !== 'us-east-1') {
    throw new AwsError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
    );
  }
  if (!existing) await ctx.store.createBucket({ name: bucket, createdAt: ctx.now(), region });
  return new RawResponse(200, { location: `/${bucket}` });
}

function readLocationConstraint(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  const doc = parseXml(body);
  const config = doc.CreateBucketConfiguration;
  if (config === undefined)
    throw new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  if (typeof config !== 'object' || config === null) return undefined;
  const constraint = (config as Record<string, unknown>).LocationConstraint;
  return typeof constraint === 'string' && constraint !== '' ? constraint : undefined;
}

export function headBucket(ctx: S3Context, bucket: string): RawResponse {
  const info = ctx.store.bucket(bucket);
  if (!info) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
  return new RawResponse(200, { 'x-amz-bucket-region': info.region, 'x-amz-access-point-alias': 'false' });
}

export async function deleteBucket(
  ctx: S3Context,
  bucket: string,
  req: SandboxRequest,
): Promise<RawResponse> {
  const sub = [...req.query.keys()].find((k) => k !== 'x-id');
  if (sub) throw notImplemented(`DELETE bucket ?${sub}`);
  await ctx.store.deleteBucket(bucket);
  // Uploads in progress are not objects: they do not keep the bucket, and go with it.
  for (const upload of ctx.uploads.list(bucket)) await ctx.uploads.remove(upload.id);
  return new RawResponse(204, {});
}

export function listBuckets(ctx: S3Context, req: SandboxRequest): Record<string, unknown> {
  const prefix = req.query.get('prefix') ?? '';
  const region = req.query.get('bucket-region');
  const maxRaw = req.query.get('max-buckets');
  if (maxRaw !== null && (!/^\d+$/.test(maxRaw) || Number(maxRaw) < 1 || Number(maxRaw) > 10000)) {
    throw new AwsError('InvalidArgument', 'max-buckets must be an integer between 1 and 10000', 400);
  }
  const token = req.query.get('continuation-token');
  const all = ctx.store
    .listBuckets()
    .filter((b) => b.name.startsWith(prefix) && (region === null || b.region === region))
    .filter((b) => token === null || b.name >= token);
  const limit = maxRaw === null ? all.length : Number(maxRaw);
  const page = all.slice(0, limit);
  const next = all[limit];
  return {
    ListAllMyBucketsResult: {
      '@_xmlns': S3_XMLNS,
      Owner: owner(ctx),
      Buckets: {
        Bucket: page.map((b) => ({
          Name: b.name,
          CreationDate: new Date(b.createdAt),
          BucketRegion: b.region,
        })),
      },
      ContinuationToken: next?.name,
      Prefix: req.query.get('prefix') ?? undefined,
    },
  };
}

/** GET on a bucket: ListObjectsV2 (`list-type=2`), GetBucketLocation (`location`), or ListObjects. */
export function getBucket(ctx: S3Context, bucket: string, req: SandboxRequest): Record<string, unknown> {
  if (req.query.has('location')) {
    const info = ctx.store.bucket(bucket);
    if (!info) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    return {
      LocationConstraint: {
        '@_xmlns': S3_XMLNS,
        '#text': info.region === 'us-east-1' ? '' : info.region,
      },
    };
  }
  const sub = [...req.query.keys()].find((k) => !LIST_PARAMETERS.has(k));
  if (sub) throw notImplemented(`GET bucket ?${sub}`);
  return req.query.get('list-type') === '2'
    ? listObjectsV2(ctx, bucket, req.query)
    : listObjects(ctx, bucket, req.query);
}

function contentsXml(ctx: S3Context, objects: StoredObject[], withOwner: boolean): Record<string, unknown>[] {
  return objects.map((o) => ({
    Key: o.key,
    LastModified: new Date(o.lastModified),
    ETag: `"${o.etag}"`,
    ChecksumAlgorithm: o.checksum ? o.checksum.algorithm.toUpperCase() : undefined,
    ChecksumType: o.checksum ? 'FULL_OBJECT' : undefined,
    Size: o.size,
    Owner: withOwner ? owner(ctx) : undefined,
    StorageClass: 'STANDARD',
  }));
}

function listObjectsV2(ctx: S3Context, bucket: string, query: URLSearchParams): Record<string, unknown> {
  const token = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const resume = token === undefined ? undefined : readContinuationToken(token);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const maxKeys = readMaxKeys(query.get('max-keys'));
  const page = listPage(ctx.store.objects(bucket), {
    prefix,
    delimiter,
    maxKeys,
    after: resume ? resume.value : startAfter,
    afterPrefix: resume?.isPrefix ? resume.value : undefined,
  });
  return {
    ListBucketResult: {
      '@_xmlns': S3_XMLNS,
      Name: bucket,
      Prefix: prefix,
      Delimiter: delimiter,
      MaxKeys: maxKeys,
      KeyCount: page.objects.length + page.commonPrefixes.length,
      IsTruncated: page.truncated,
      ContinuationToken: token,
      NextContinuationToken: page.truncated && page.last ? continuationToken(page.last) : undefined,
      StartAfter: startAfter,
      Contents: contentsXml(ctx, page.objects, query.get('fetch-owner') === 'true'),
      CommonPrefixes: page.commonPrefixes.map((Prefix) => ({ Prefix })),
    },
  };
}

function listObjects(ctx: S3Context, bucket: string, query: URLSearchParams): Record<string, unknown> {
  const marker = query.get('marker') ?? '';
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const maxKeys = readMaxKeys(query.get('max-keys'));
  const page = listPage(ctx.store.objects(bucket), {
    prefix,
    delimiter,
    maxKeys,
    after: marker || undefined,
    // A V1 marker that is a common prefix skips the keys under it, as S3 does.
    afterPrefix: delimiter && marker.endsWith(delimiter) ? marker : undefined,
  });
  return {
    ListBucketResult: {
      '@_xmlns': S3_XMLNS,
      Name: bucket,
      Prefix: prefix,
      Marker: marker,
      // S3 gives NextMarker only with a delimiter; without one the client continues from the last key.
      NextMarker: page.truncated && delimiter ? page.last?.value : undefined,
      MaxKeys: maxKeys,
      Delimiter: delimiter,
      IsTruncated: page.truncated,
      Contents: contentsXml(ctx, page.objects, true),
      CommonPrefixes: page.commonPrefixes.map((Prefix) => ({ Prefix })),
    },
  };
}
