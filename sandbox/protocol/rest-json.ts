import { AwsError, asAwsError, type SandboxRequest, type ServiceHandler } from './types.ts';

export interface RestRoute<TInput> {
  method: string;
  /** Path template with `{name}` segments, e.g. `/experimentTemplates/{id}`. */
  path: string;
  handler: (input: TInput, params: Record<string, string>, req: SandboxRequest) => unknown | Promise<unknown>;
  /** HTTP status on success (FIS answers 200 everywhere; some operations answer 201/204). */
  status?: number;
}

export interface CompiledRoute<TInput> extends RestRoute<TInput> {
  pattern: RegExp;
  names: string[];
}

export function compileRoutes<TInput>(routes: RestRoute<TInput>[]): CompiledRoute<TInput>[] {
  return routes.map((r) => {
    const names: string[] = [];
    const source = r.path
      .split('/')
      .map((seg) => {
        const m = /^\{(\w+)(\+?)\}$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { ...r, pattern: new RegExp(`^${source}/?$`), names };
  });
}

/**
 * The route for a request and its decoded path parameters. A parameter that is not valid
 * percent-encoding is the client's mistake: it is answered with `malformedCode` (the service's own
 * code for a bad request), never as an internal failure that an SDK would retry.
 */
export function matchRoute<TInput>(
  routes: CompiledRoute<TInput>[],
  method: string,
  path: string,
  malformedCode: string,
): { route: CompiledRoute<TInput>; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]!);
      } catch {
        throw new AwsError(malformedCode, `The request path ${path} is not valid percent-encoding`, 400);
      }
    });
    return { route, params };
  }
  return undefined;
}

/** restJson1 (FIS): the operation is chosen by method and path; errors carry x-amzn-errortype. */
export function restJsonProtocol(
  // biome-ignore lint/suspicious/noExplicitAny: wire input is validated by each operation
  routes: RestRoute<any>[],
): ServiceHandler {
  const compiled = compileRoutes(routes);
  return async (req) => {
    const headers = { 'content-type': 'application/json', 'x-amzn-requestid': req.requestId };
    try {
      const found = matchRoute(compiled, req.method, req.path, 'ValidationException');
      if (!found)
        throw new AwsError('UnknownOperationException', `No operation for ${req.method} ${req.path}`, 404);
      if (req.fault) throw req.fault;
      let input: unknown = {};
      if (req.body.length > 0) {
        try {
          input = JSON.parse(req.body.toString('utf8'));
        } catch {
          throw new AwsError('ValidationException', 'Request body is not valid JSON');
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw new AwsError('ValidationException', 'Request body must be a JSON object');
        }
      }
      const out = await found.route.handler(input, found.params, req);
      return { status: found.route.status ?? 200, headers, body: JSON.stringify(out ?? {}, isoDates) };
    } catch (e) {
      const err = asAwsError(e);
      return {
        status: err.status,
        headers: { ...headers, 'x-amzn-errortype': err.code },
        body: JSON.stringify({ message: err.message }),
      };
    }
  };
}

/** restJson1 timestamps default to epoch seconds, like the JSON RPC protocols. */
function isoDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return raw.getTime() / 1000;
  return value;
}
