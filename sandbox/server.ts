import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { type ApiFault, type ApiFaults, slowDown } from './api-faults.ts';
import { AwsError, asAwsError, type SandboxRequest, type SandboxResponse } from './protocol/types.ts';
import type { SandboxService } from './services/service.ts';

/** Largest request body the sandbox accepts (S3 objects included): 64 MiB. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Routes the older X-Amz-Target prefixes to a signing name when a request carries no SigV4 header. */
const TARGET_PREFIXES: Record<string, string> = {
  AmazonSSM: 'ssm',
  GraniteServiceVersion20100801: 'monitoring',
  DynamoDB_20120810: 'dynamodb',
  AWSStepFunctions: 'states',
  AWSEvents: 'events',
};

/**
 * Works out which service a request is for. The SDK signs every request with SigV4, whose
 * credential scope names the service (`Credential=AKID/20260105/us-east-1/fis/aws4_request`), so
 * that is the first source; unsigned requests (curl, a browser) fall back to the target header or
 * the path, as far as those are unambiguous.
 */
export function identifyService(req: IncomingMessage): { service: string; region: string } | undefined {
  const auth = String(req.headers.authorization ?? '');
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  if (scope) return { region: scope[1]!, service: scope[2]! };
  const target = String(req.headers['x-amz-target'] ?? '').split('.')[0] ?? '';
  const region = 'us-east-1';
  if (TARGET_PREFIXES[target]) return { service: TARGET_PREFIXES[target]!, region };
  const path = (req.url ?? '/').split('?')[0]!;
  if (path.startsWith('/2013-04-01/')) return { service: 'route53', region };
  if (/^\/(experimentTemplates|experiments|actions|targetResourceTypes|tags)(\/|$)/.test(path)) {
    return { service: 'fis', region };
  }
  return undefined;
}

export interface ServerOptions {
  services: SandboxService[];
  /** dynalite's request listener: DynamoDB requests are handed to it untouched. */
  dynamodb: RequestListener;
  /** Called around every request so that virtual-time drivers know when work is in flight. */
  onRequestStart?: () => void;
  onRequestEnd?: () => void;
  /** Faults to inject into the API (throttling, 5xx, latency); read at every request. */
  faults?: () => ApiFaults | undefined;
}

export function createSandboxServer(opts: ServerOptions): Server {
  const bySigningName = new Map(opts.services.map((s) => [s.signingName, s]));
  const server = createServer((req, res) => {
    opts.onRequestStart?.();
    // Node stamps responses with the real time; the SDK compares that with its own clock and, on a
    // large skew, retries the request after a back-off. In a process on virtual time both sides
    // must read the same clock, so stamp the response with the process's Date, virtual or not.
    res.setHeader('date', new Date().toUTCString());
    res.on('close', () => opts.onRequestEnd?.());
    const id = identifyService(req);
    const fault = id ? opts.faults?.()?.draw(id.service) : undefined;
    if (id?.service === 'dynamodb') {
      void slowDown(fault).then(() => {
        if (fault?.kind === 'throttle' || fault?.kind === 'fail') refuseDynamoDb(req, res, fault.error);
        else forwardWhole(req, res, opts.dynamodb);
      });
      return;
    }
    handle(req, res, id, bySigningName, fault).catch((e: unknown) => {
      // A request must never take the server down: whatever escaped the service is answered here.
      if (res.headersSent) res.destroy();
      else send(res, plainError(asAwsError(e), randomUUID()), req.method);
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  id: { service: string; region: string } | undefined,
  services: Map<string, SandboxService>,
  fault: ApiFault | undefined,
): Promise<void> {
  const requestId = randomUUID();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (e) {
    send(res, plainError(asAwsError(e), requestId), req.method);
    return;
  }
  const service = id ? services.get(id.service) : undefined;
  if (!service || !id) {
    send(
      res,
      plainError(
        new AwsError(
          'UnknownService',
          id
            ? `The sandbox does not emulate the '${id.service}' service`
            : 'Cannot tell which AWS service this request is for: sign it with SigV4 (any AWS SDK does)',
        ),
        requestId,
      ),
      req.method,
    );
    return;
  }
  // The path and query as sent, not URL-normalised: `.` and `..` are legal inside an S3 key, and a
  // request target that is no URL at all must still reach the service to be answered, not throw.
  const [rawPath = '', rawQuery = ''] = (req.url ?? '/').split('#')[0]!.split(/\?(.*)/s);
  const sreq: SandboxRequest = {
    method: req.method ?? 'GET',
    path: rawPath || '/',
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    body,
    service: id.service,
    region: id.region,
    requestId,
    ...(fault && fault.kind !== 'slow' ? { fault: fault.error } : {}),
  };
  await slowDown(fault);
  let out: SandboxResponse;
  try {
    out = await service.handler(sreq);
  } catch (e) {
    // Services answer errors in their own protocol; this is only for a handler that threw anyway.
    out = plainError(asAwsError(e), requestId);
  }
  send(res, out, req.method);
}

/** DynamoDB's own answer to a request it refused (awsJson1_0), the body drained and dropped. */
function refuseDynamoDb(req: IncomingMessage, res: ServerResponse, err: AwsError): void {
  req.resume();
  const body = JSON.stringify({
    __type: `com.amazonaws.dynamodb.v20120810#${err.code}`,
    message: err.message,
  });
  res.writeHead(err.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/**
 * Hands dynalite a request only once its body has arrived whole. dynalite reads the body itself
 * and throws from its stream error listener, so a client that went away mid-body (an `aborted`
 * error on the request) would end the whole process. Here the body is read first, errors answered
 * as the sandbox's own, and dynalite gets a stand-in request that replays the bytes.
 */
function forwardWhole(req: IncomingMessage, res: ServerResponse, listener: RequestListener): void {
  readBody(req).then(
    (body) => {
      const replay = Readable.from(body.length > 0 ? [body] : []);
      Object.assign(replay, {
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        socket: req.socket,
      });
      listener(replay as unknown as IncomingMessage, res);
    },
    (e: unknown) => send(res, plainError(asAwsError(e), randomUUID()), req.method),
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit the rest is read and dropped rather than the connection cut, so that the
      // client, still sending, is there to read the answer.
      if (size > MAX_BODY_BYTES) chunks = [];
      else chunks.push(c);
    });
    req.on('end', () => {
      if (size <= MAX_BODY_BYTES) resolve(Buffer.concat(chunks));
      else {
        reject(
          new AwsError('RequestEntityTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`, 413),
        );
      }
    });
    req.on('error', reject);
  });
}

function plainError(err: AwsError, requestId: string): SandboxResponse {
  return {
    status: err.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': err.code,
    },
    body: JSON.stringify({ __type: err.code, message: err.message }),
  };
}

function send(res: ServerResponse, out: SandboxResponse, method: string | undefined): void {
  const body = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
  // A HEAD answer has no body but reports the size of what GET would return (S3 HeadObject).
  const length =
    method === 'HEAD' && out.headers['content-length'] !== undefined
      ? out.headers['content-length']
      : String(body.length);
  res.writeHead(out.status, { ...out.headers, 'content-length': length });
  res.end(method === 'HEAD' ? undefined : body);
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
