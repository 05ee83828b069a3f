import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP request as the sandbox's router hands it to a service. */
export interface SandboxRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Signing name from the SigV4 credential scope (`fis`, `ssm`, `monitoring`, …). */
  service: string;
  region: string;
  requestId: string;
  /**
   * A fault the sandbox injects into this request (throttled, failed): the protocol answers it,
   * in the service's own error shape, once it has understood which operation was asked for.
   */
  fault?: AwsError;
}

export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type ServiceHandler = (req: SandboxRequest) => Promise<SandboxResponse>;

/**
 * An error that a service returns on the wire. `code` is the exception name the SDK maps to its
 * own class (`ValidationException`, `ParameterNotFound`, `NoSuchHostedZone`, …).
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
  constructor(code: string, message: string, status = 400, fault: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.fault = fault;
  }
}

/** The error every service answers when the request itself cannot be understood. */
export function serializationError(message: string): AwsError {
  return new AwsError('SerializationException', message, 400);
}

export function asAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError('InternalFailure', `sandbox internal error: ${message}`, 500, 'Receiver');
}
