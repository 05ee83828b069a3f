import {
  AwsError,
  asAwsError,
  type SandboxRequest,
  type SandboxResponse,
  type ServiceHandler,
} from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: operations receive untyped wire input and validate it themselves
export type JsonOperation = (input: any, req: SandboxRequest) => unknown | Promise<unknown>;

export interface JsonProtocolOptions {
  /** The X-Amz-Target prefix, e.g. `AmazonSSM` or `GraniteServiceVersion20100801`. */
  targetPrefix: string;
  version: '1.0' | '1.1';
  operations: Record<string, JsonOperation>;
  /**
   * awsQueryCompatible services (CloudWatch) also send the query error code in
   * `x-amzn-query-error`, which is what the SDK reads to pick the exception class.
   */
  queryCompatible?: boolean;
}

/** awsJson1_0 / awsJson1_1: POST / with X-Amz-Target: Prefix.Operation and a JSON body. */
export function jsonProtocol(opts: JsonProtocolOptions): ServiceHandler {
  const contentType = `application/x-amz-json-${opts.version}`;
  const errorResponse = (err: AwsError, requestId: string): SandboxResponse => {
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': err.code,
    };
    if (opts.queryCompatible) headers['x-amzn-query-error'] = `${err.code};${err.fault}`;
    return {
      status: err.status,
      headers,
      body: JSON.stringify({ __type: err.code, message: err.message }),
    };
  };
  return async (req) => {
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix, operation] = target.split('.');
      if (req.method !== 'POST' || prefix !== opts.targetPrefix || !operation) {
        throw new AwsError(
          'UnknownOperationException',
          `Unknown operation: ${target || '(no X-Amz-Target)'}`,
        );
      }
      const op = opts.operations[operation];
      if (!op) throw new AwsError('UnknownOperationException', `Unknown operation: ${operation}`);
      if (req.fault) throw req.fault;
      let input: unknown = {};
      if (req.body.length > 0) {
        try {
          input = JSON.parse(req.body.toString('utf8'));
        } catch {
          throw new AwsError('SerializationException', 'Request body is not valid JSON');
        }
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new AwsError('SerializationException', 'Request body must be a JSON object');
      }
      const output = (await op(input, req)) ?? {};
      return {
        status: 200,
        headers: { 'content-type': contentType, 'x-amzn-requestid': req.requestId },
        body: JSON.stringify(output, dateReplacer),
      };
    } catch (err) {
      return errorResponse(asAwsError(err), req.requestId);
    }
  };
}

/** JSON protocols send timestamps as epoch seconds. */
function dateReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return raw.getTime() / 1000;
  return value;
}
