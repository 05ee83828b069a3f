import { AwsError, asAwsError, type SandboxRequest, type ServiceHandler } from './types.ts';
import { toXml } from './xml.ts';

/**
 * Query-protocol parameters as a tree: `Filter.1.Name=x&Filter.1.Value.1=y` becomes
 * `{ Filter: [{ Name: 'x', Value: ['y'] }] }`. Objects whose keys are all positive integers are
 * turned into arrays in index order, which is how every query list (EC2's `.N`, SNS's
 * `.member.N`, `.entry.N`) is numbered.
 */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

export function parseQueryParams(params: URLSearchParams): Record<string, QueryValue> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    // A parameter named `__proto__.x` would otherwise write to Object.prototype.
    if (parts.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) continue;
    let node: Record<string, unknown> = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return listify(root) as Record<string, QueryValue>;
}

function listify(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => /^[1-9]\d*$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => listify(obj[String(k)]));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = listify(obj[k]);
  return out;
}

/** Returns the result element's content, or undefined for an operation with no output (no `<OpResult>`). */
export type QueryOperation = (
  params: Record<string, QueryValue>,
  req: SandboxRequest,
) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

export interface QueryProtocolOptions {
  xmlns: string;
  operations: Record<string, QueryOperation>;
  /**
   * EC2's dialect: the result is written straight under `<OpResponse>` with a lower-case
   * `requestId`, and errors use `<Response><Errors>`. The classic query dialect (SNS) wraps the
   * result in `<OpResult>` and errors in `<ErrorResponse>`.
   */
  dialect: 'ec2' | 'query';
}

/** awsQuery / ec2Query: form-encoded POST with Action and Version; XML responses. */
export function queryProtocol(opts: QueryProtocolOptions): ServiceHandler {
  return async (req) => {
    const headers = { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': req.requestId };
    try {
      const form = new URLSearchParams(req.body.toString('utf8'));
      for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
      const action = form.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
      const op = opts.operations[action];
      if (!op) {
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
      if (req.fault) throw req.fault;
      const params = parseQueryParams(form);
      const result = await op(params, req);
      const body =
        opts.dialect === 'ec2'
          ? toXml({
              [`${action}Response`]: { '@_xmlns': opts.xmlns, requestId: req.requestId, ...result },
            })
          : toXml({
              [`${action}Response`]: {
                '@_xmlns': opts.xmlns,
                ...(result !== undefined ? { [`${action}Result`]: result } : {}),
                ResponseMetadata: { RequestId: req.requestId },
              },
            });
      return { status: 200, headers, body };
    } catch (e) {
      const err = asAwsError(e);
      const body =
        opts.dialect === 'ec2'
          ? toXml({
              Response: {
                Errors: { Error: { Code: err.code, Message: err.message } },
                RequestID: req.requestId,
              },
            })
          : toXml({
              ErrorResponse: {
                '@_xmlns': opts.xmlns,
                Error: { Type: err.fault, Code: err.code, Message: err.message },
                RequestId: req.requestId,
              },
            });
      return { status: err.status, headers, body };
    }
  };
}

/** Reads a query list that may be written `Name.N` (EC2) or `Name.member.N` (query). */
export function queryList(value: QueryValue | undefined): QueryValue[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && 'member' in value) return queryList(value.member);
  if (typeof value === 'object' && 'entry' in value) return queryList(value.entry);
  return [value];
}

export function queryString(value: QueryValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
