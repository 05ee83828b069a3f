import { AwsError } from '../../protocol/types.ts';

export interface DecodedBody {
  data: Buffer;
  /** Trailing headers (the SDK sends its checksum there when it streams), lower-case names. */
  trailers: Record<string, string>;
}

/**
 * Whether the body is in aws-chunked encoding: the SDK uses it when it streams a body with a
 * trailing checksum (`content-encoding: aws-chunked`, `x-amz-content-sha256: STREAMING-…`).
 */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

function malformed(detail: string): AwsError {
  return new AwsError('IncompleteBody', `The aws-chunked request body is malformed: ${detail}`, 400);
}

/**
 * Decodes `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n … 0\r\n<trailer>:<value>\r\n\r\n`.
 * Chunk signatures are not checked: the sandbox accepts any credentials.
 */
export function decodeAwsChunked(body: Buffer): DecodedBody {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) throw malformed('a chunk header is not terminated');
    const header = body.toString('latin1', pos, lineEnd);
    const sizeText = header.split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw malformed(`'${sizeText}' is not a chunk size`);
    const size = Number.parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) break;
    if (pos + size + 2 > body.length) throw malformed('a chunk is shorter than its declared size');
    parts.push(body.subarray(pos, pos + size));
    pos += size;
    if (body.toString('latin1', pos, pos + 2) !== '\r\n') throw malformed('a chunk is not followed by CRLF');
    pos += 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.toString('latin1', pos).split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`'${line}' is not a trailing header`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(parts), trailers };
}
