import type { SandboxCore } from '../context.ts';
import { restXmlProtocol, type XmlRoute } from '../protocol/rest-xml.ts';
import { AwsError, type SandboxRequest } from '../protocol/types.ts';
import {
  createBucket,
  deleteBucket,
  getBucket,
  headBucket,
  listBuckets,
  notImplemented,
} from './s3/buckets.ts';
import type { S3Context } from './s3/context.ts';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from './s3/multipart.ts';
import { deleteObject, getObject, putObject } from './s3/objects.ts';
import { ObjectStore } from './s3/store.ts';
import { UploadStore } from './s3/uploads.ts';
import type { SandboxService } from './service.ts';

/** Operations on an object; the SDK names them in an `x-id` query parameter. */
const OBJECT_OPERATIONS = new Set([
  'PutObject',
  'GetObject',
  'DeleteObject',
  'CopyObject',
  'UploadPart',
  'UploadPartCopy',
  'ListParts',
  'AbortMultipartUpload',
  'CreateMultipartUpload',
  'CompleteMultipartUpload',
]);

/**
 * The request path reaches the sandbox with `.` and `..` segments already resolved, so an object
 * operation on key `../x` arrives as a bucket operation on `x`. The SDK's `x-id` still names the
 * object operation: such a request is refused rather than turned into another operation.
 */
function refuseCollapsedKey(req: SandboxRequest): SandboxRequest {
  const operation = req.query.get('x-id');
  if (operation !== null && OBJECT_OPERATIONS.has(operation)) {
    throw new AwsError(
      'InvalidArgument',
      `The object key of this ${operation} request has '.' or '..' path segments, which the faultline sandbox cannot store as files.`,
      400,
    );
  }
  return req;
}

/**
 * S3, path-style (`/<bucket>/<key>`, which the SDK uses for an IP endpoint): buckets and objects,
 * kept as plain files under `<stateDir>/s3/` when the sandbox has a state folder. Its persistence is
 * those files, so it has nothing to save in the sandbox's state file.
 */
export function createS3Service(core: SandboxCore): SandboxService {
  const store = new ObjectStore(core.stateDir);
  const ids = core.rng.stream('s3.uploads');
  const ctx: S3Context = {
    core,
    store,
    uploads: new UploadStore(core.stateDir),
    newUploadId: () => {
      // S3's upload ids are long opaque strings; these are 64 characters from the seeded stream.
      const bytes = Buffer.alloc(48);
      for (let i = 0; i < bytes.length; i++) bytes[i] = ids.int(0, 255);
      return bytes.toString('base64url');
    },
    now: () => Math.floor(core.clock.now() / 1000) * 1000,
  };
  const routes: XmlRoute[] = [
    { method: 'GET', path: '/', handler: (_b, _p, req) => listBuckets(ctx, refuseCollapsedKey(req)) },
    ...['PUT', 'DELETE'].map((method) => ({
      method,
      path: '/',
      handler: (_b: Buffer, _p: Record<string, string>, req: SandboxRequest) => {
        refuseCollapsedKey(req);
        throw notImplemented(`${method} /`);
      },
    })),
    {
      method: 'PUT',
      path: '/{Bucket}',
      handler: (_b, p, req) => createBucket(ctx, p.Bucket!, refuseCollapsedKey(req)),
    },
    { method: 'HEAD', path: '/{Bucket}', handler: (_b, p) => headBucket(ctx, p.Bucket!) },
    {
      method: 'GET',
      path: '/{Bucket}',
      handler: (_b, p, req) =>
        refuseCollapsedKey(req).query.has('uploads')
          ? listMultipartUploads(ctx, p.Bucket!, req)
          : getBucket(ctx, p.Bucket!, req),
    },
    {
      method: 'DELETE',
      path: '/{Bucket}',
      handler: (_b, p, req) => deleteBucket(ctx, p.Bucket!, refuseCollapsedKey(req)),
    },
    {
      method: 'POST',
      path: '/{Bucket}',
      handler: (_b, _p, req) => {
        throw notImplemented(`POST bucket ?${[...refuseCollapsedKey(req).query.keys()].join('&')}`);
      },
    },
    {
      method: 'PUT',
      path: '/{Bucket}/{Key+}',
      handler: (_b, p, req) =>
        req.query.has('uploadId')
          ? uploadPart(ctx, p.Bucket!, p.Key!, req)
          : putObject(ctx, p.Bucket!, p.Key!, req),
    },
    {
      method: 'POST',
      path: '/{Bucket}/{Key+}',
      handler: (_b, p, req) => {
        if (req.query.has('uploads')) return createMultipartUpload(ctx, p.Bucket!, p.Key!, req);
        if (req.query.has('uploadId')) return completeMultipartUpload(ctx, p.Bucket!, p.Key!, req);
        throw notImplemented(`POST object ?${[...req.query.keys()].join('&')}`);
      },
    },
    {
      method: 'GET',
      path: '/{Bucket}/{Key+}',
      handler: (_b, p, req) =>
        req.query.has('uploadId')
          ? listParts(ctx, p.Bucket!, p.Key!, req)
          : getObject(ctx, p.Bucket!, p.Key!, req),
    },
    {
      method: 'HEAD',
      path: '/{Bucket}/{Key+}',
      handler: (_b, p, req) => getObject(ctx, p.Bucket!, p.Key!, req),
    },
    {
      method: 'DELETE',
      path: '/{Bucket}/{Key+}',
      handler: (_b, p, req) =>
        req.query.has('uploadId')
          ? abortMultipartUpload(ctx, p.Bucket!, p.Key!, req)
          : deleteObject(ctx, p.Bucket!, p.Key!, req),
    },
  ];
  return {
    signingName: 's3',
    handler: restXmlProtocol({ routes, errorStyle: 's3', notFoundCode: 'NotImplemented' }),
  };
}
