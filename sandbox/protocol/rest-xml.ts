import { compileRoutes, matchRoute, type RestRoute } from './rest-json.ts';
import { AwsError, asAwsError, type ServiceHandler } from './types.ts';
import { toXml } from './xml.ts';

export type XmlRoute = RestRoute<Buffer>;

export interface RestXmlOptions {
  routes: XmlRoute[];
  /** Route 53 writes `<ErrorResponse><Error>`; S3 writes a bare `<Error>`. */
  errorStyle: 'route53' | 's3';
  /** Error code for a path that matches no operation. */
  notFoundCode?: string;
}

/**
 * restXml (Route 53, S3). Handlers receive the raw body (they parse XML themselves because each
 * operation's root element differs) and return either a document for `toXml` or a full response.
 */
export function restXmlProtocol(opts: RestXmlOptions): ServiceHandler {
  const compiled = compileRoutes(opts.routes);
  return async (req) => {
    const headers: Record<string, string> = {
      'content-type': 'application/xml',
      'x-amzn-requestid': req.requestId,
      'x-amz-request-id': req.requestId,
    };
    try {
      // Route 53 answers a request it cannot read with InvalidInput; S3 with InvalidURI.
      const malformed = opts.errorStyle === 'route53' ? 'InvalidInput' : 'InvalidURI';
      const found = matchRoute(compiled, req.method, req.path, malformed);
      if (!found) {
        throw new AwsError(
          opts.notFoundCode ?? 'InvalidInput',
          `No operation for ${req.method} ${req.path}`,
          404,
        );
      }
      if (req.fault) throw req.fault;
      const out = await found.route.handler(req.body, found.params, req);
      if (out instanceof RawResponse) {
        return { status: out.status, headers: { ...headers, ...out.headers }, body: out.body };
      }
      const body = out === undefined ? '' : toXml(out as Record<string, unknown>);
      return { status: found.route.status ?? 200, headers, body };
    } catch (e) {
      const err = asAwsError(e);
      const body =
        opts.errorStyle === 'route53'
          ? toXml({
              ErrorResponse: {
                '@_xmlns': 'https://route53.amazonaws.com/doc/2013-04-01/',
                Error: { Type: err.fault, Code: err.code, Message: err.message },
                RequestId: req.requestId,
              },
            })
          : toXml({ Error: { Code: err.code, Message: err.message, RequestId: req.requestId } });
      return { status: err.status, headers, body };
    }
  };
}

/** A handler result that is already a response (S3 GetObject's body, HEAD's headers). */
export class RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
  constructor(status: number, headers: Record<string, string>, body: string | Buffer = '') {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}
