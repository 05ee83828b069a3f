import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsError } from '../../protocol/types.ts';

/** A full-object checksum as S3 stores it: the algorithm (lower case, as in the header name) and base64 value. */
export interface ObjectChecksum {
  algorithm: string;
  value: string;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC32C_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function uint32Base64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

/** Algorithms the sandbox verifies; others (CRC64NVME, XXHASH…) are stored as the client sent them. */
const COMPUTE: Record<string, (data: Buffer) => string> = {
  crc32: (d) => uint32Base64(crc32(d)),
  crc32c: (d) => uint32Base64(crc32c(d)),
  sha1: (d) => createHash('sha1').update(d).digest('base64'),
  sha256: (d) => createHash('sha256').update(d).digest('base64'),
};

const CHECKSUM_HEADER = /^x-amz-checksum-([a-z0-9]+)$/;

/**
 * Checks Content-MD5 and the `x-amz-checksum-*` value the client sent (as a header or as a
 * trailer) against the bytes received; a mismatch is S3's BadDigest. Returns the checksum to
 * store with the object.
 */
export function verifyUpload(
  headers: Record<string, string | string[] | undefined>,
  trailers: Record<string, string>,
  data: Buffer,
): ObjectChecksum | undefined {
  const md5 = headers['content-md5'];
  if (typeof md5 === 'string') {
    if (Buffer.from(md5, 'base64').length !== 16) {
      throw new AwsError('InvalidDigest', 'The Content-MD5 you specified is not valid.', 400);
    }
    if (createHash('md5').update(data).digest('base64') !== md5) {
      throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
    }
  }
  let checksum: ObjectChecksum | undefined;
  for (const [name, raw] of [...Object.entries(headers), ...Object.entries(trailers)]) {
    const algorithm = CHECKSUM_HEADER.exec(name)?.[1];
    if (!algorithm || ['mode', 'type', 'algorithm'].includes(algorithm) || typeof raw !== 'string') continue;
    const compute = COMPUTE[algorithm];
    if (compute && compute(data) !== raw) {
      throw new AwsError(
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
        400,
      );
    }
    checksum = { algorithm, value: raw };
  }
  return checksum;
}
