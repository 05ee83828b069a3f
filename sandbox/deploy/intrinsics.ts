/** What the sandbox knows of a deployed CloudFormation resource. */
export interface PhysicalResource {
  /** What `Ref` returns (table name, topic ARN, bucket name, parameter name, role name). */
  ref: string;
  /** `Fn::GetAtt` attributes (`Arn`, …). */
  attributes: Record<string, string>;
}

export interface IntrinsicContext {
  region: string;
  accountId: string;
  resources: Record<string, PhysicalResource>;
}

/**
 * Resolves the CloudFormation intrinsics serverless.yml uses (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
 * `Fn::Join`) against what the sandbox deployed. Anything else is an error naming it: a template
 * the sandbox cannot resolve must not deploy half-resolved.
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext, where = '(template)'): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveIntrinsics(v, ctx, `${where}[${i}]`));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
    const fn = keys[0]!;
    const arg = obj[fn];
    switch (fn) {
      case 'Ref':
        return ref(String(arg), ctx, where);
      case 'Fn::GetAtt': {
        const [logical, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        const r = ctx.resources[logical!];
        const v = r?.attributes[attr!];
        if (v === undefined)
          throw new Error(`${where}: cannot resolve Fn::GetAtt ${logical}.${attr} in the sandbox`);
        return v;
      }
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [String(arg), {}];
        return template.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (vars[name] !== undefined) return String(resolveIntrinsics(vars[name], ctx, where));
          if (name.includes('.')) {
            const [logical, attr] = name.split('.');
            return String(resolveIntrinsics({ 'Fn::GetAtt': [logical, attr] }, ctx, where));
          }
          return ref(name, ctx, where);
        });
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return parts.map((p) => String(resolveIntrinsics(p, ctx, where))).join(sep);
      }
      default:
        throw new Error(`${where}: the sandbox cannot resolve ${fn}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = resolveIntrinsics(v, ctx, `${where}.${k}`);
  return out;
}

function ref(name: string, ctx: IntrinsicContext, where: string): string {
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default: {
      const r = ctx.resources[name];
      if (!r)
        throw new Error(`${where}: cannot resolve Ref ${name}: no such resource in the sandbox deployment`);
      return r.ref;
    }
  }
}
