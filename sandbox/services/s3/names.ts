import { isIPv4 } from 'node:net';
import { AwsError } from '../../protocol/types.ts';

/** S3's general-purpose bucket naming rules; any breach is InvalidBucketName. */
export function checkBucketName(name: string): void {
  const valid =
    name.length >= 3 &&
    name.length <= 63 &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !isIPv4(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!valid) throw new AwsError('InvalidBucketName', 'The specified bucket is not valid.', 400);
}

/** S3's limit on a key's length, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/**
 * Keys become paths under the bucket's folder, so the sandbox refuses the keys S3 would accept but
 * a file system cannot hold faithfully: `.` and `..` segments (which would leave the folder), empty
 * segments (`a//b` and `/a` would collide with `a/b` and `a`), and NUL.
 */
export function checkObjectKey(key: string): void {
  if (key.length === 0) throw new AwsError('InvalidArgument', 'An object key must not be empty.', 400);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    throw new AwsError('KeyTooLongError', 'Your key is too long', 400);
  const segments = key.split('/');
  // A trailing slash is a "folder" key such as `reports/`: its last segment is empty by design.
  if (segments.at(-1) === '') segments.pop();
  if (key.includes('\u0000') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new AwsError(
      'InvalidArgument',
      `The faultline sandbox stores objects as files and cannot store the key '${key}': it has an empty, '.' or '..' path segment.`,
      400,
    );
  }
}
