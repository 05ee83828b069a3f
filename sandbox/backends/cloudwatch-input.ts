import { AwsError } from '../protocol/types.ts';

/**
 * CloudWatch's error answers, with the query-protocol codes it sends in `x-amzn-query-error`
 * (the SDK maps `InvalidParameterValue` to InvalidParameterValueException, `MissingParameter` to
 * MissingRequiredParameterException, `ValidationError` to ValidationException, and so on).
 */
export const cwError = {
  validation: (message: string) => new AwsError('ValidationError', message),
  invalidValue: (message: string) => new AwsError('InvalidParameterValue', message),
  combination: (message: string) => new AwsError('InvalidParameterCombination', message),
  missing: (param: string) => new AwsError('MissingParameter', `The parameter ${param} is required.`),
  notFound: (message: string) => new AwsError('ResourceNotFound', message, 404),
  resourceNotFound: (message: string) => new AwsError('ResourceNotFoundException', message, 404),
  invalidFormat: (message: string) => new AwsError('InvalidFormat', message),
  invalidNextToken: () => new AwsError('InvalidNextToken', 'The service cannot process the NextToken.'),
};

/** The wording of the constraint failures CloudWatch's front end reports (`1 validation error detected: …`). */
export function constraintError(value: unknown, member: string, constraint: string): AwsError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return cwError.validation(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** The wire member name in the camelCase that CloudWatch's constraint messages use. */
function memberPath(field: string): string {
  return field.replace(/(^|\.)([A-Z])/g, (_m, dot: string, c: string) => dot + c.toLowerCase());
}

/**
 * Reads fields of an untyped wire input, checking each type. The SDK always sends the right JSON
 * types, but a hand-written client may not, and bad input must get an error rather than a crash.
 */
export class Fields {
  private readonly input: Record<string, unknown>;
  private readonly prefix: string;

  constructor(input: unknown, prefix = '') {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw cwError.validation(`${prefix || 'The request'} must be a JSON object`);
    }
    this.input = input as Record<string, unknown>;
    this.prefix = prefix;
  }

  /** The full parameter name for messages, e.g. `MetricData.member.2.Value`. */
  name(field: string): string {
    return this.prefix ? `${this.prefix}.${field}` : field;
  }

  has(field: string): boolean {
    return this.input[field] !== undefined && this.input[field] !== null;
  }

  raw(field: string): unknown {
    return this.input[field] ?? undefined;
  }

  string(field: string, opts: { min?: number; max?: number } = {}): string | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (typeof v !== 'string')
      throw cwError.invalidValue(`The parameter ${this.name(field)} must be a string.`);
    const { min = 0, max } = opts;
    if (v.length < min) {
      throw constraintError(
        v,
        memberPath(this.name(field)),
        `Member must have length greater than or equal to ${min}`,
      );
    }
    if (max !== undefined && v.length > max) {
      throw constraintError(
        v,
        memberPath(this.name(field)),
        `Member must have length less than or equal to ${max}`,
      );
    }
    return v;
  }

  requiredString(field: string, opts: { min?: number; max?: number } = {}): string {
    const v = this.string(field, { min: 1, ...opts });
    if (v === undefined) throw cwError.missing(this.name(field));
    return v;
  }

  number(field: string): number | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw cwError.invalidValue(`The value ${String(v)} for parameter ${this.name(field)} is invalid.`);
    }
    return v;
  }

  integer(field: string, opts: { min?: number; max?: number } = {}): number | undefined {
    const v = this.number(field);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v)) {
      throw cwError.invalidValue(`The value ${v} for parameter ${this.name(field)} is not an integer.`);
    }
    if (opts.min !== undefined && v < opts.min) {
      throw constraintError(
        v,
        memberPath(this.name(field)),
        `Member must have value greater than or equal to ${opts.min}`,
      );
    }
    if (opts.max !== undefined && v > opts.max) {
      throw constraintError(
        v,
        memberPath(this.name(field)),
        `Member must have value less than or equal to ${opts.max}`,
      );
    }
    return v;
  }

  boolean(field: string): boolean | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean')
      throw cwError.invalidValue(`The parameter ${this.name(field)} must be a boolean.`);
    return v;
  }

  enumValue<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const v = this.string(field);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      throw constraintError(
        v,
        memberPath(this.name(field)),
        `Member must satisfy enum value set: [${allowed.join(', ')}]`,
      );
    }
    return v as T;
  }

  /** Epoch milliseconds from the JSON protocols' epoch seconds (ISO strings are accepted from hand-written clients). */
  timestamp(field: string): number | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw cwError.invalidValue(
        `The value ${String(v)} for parameter ${this.name(field)} is not a timestamp.`,
      );
    }
    return ms;
  }

  list(field: string, opts: { max?: number } = {}): unknown[] | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw cwError.invalidValue(`The parameter ${this.name(field)} must be a list.`);
    if (opts.max !== undefined && v.length > opts.max) {
      throw constraintError(
        `[${v.length} items]`,
        memberPath(this.name(field)),
        `Member must have length less than or equal to ${opts.max}`,
      );
    }
    return v;
  }

  stringList(field: string, opts: { max?: number; itemMax?: number } = {}): string[] | undefined {
    const v = this.list(field, opts);
    if (v === undefined) return undefined;
    return v.map((item, i) => {
      if (typeof item !== 'string' || item.length === 0) {
        throw cwError.invalidValue(
          `The parameter ${this.name(field)}.member.${i + 1} must be a non-empty string.`,
        );
      }
      if (opts.itemMax !== undefined && item.length > opts.itemMax) {
        throw constraintError(
          item,
          memberPath(`${this.name(field)}.member.${i + 1}`),
          `Member must have length less than or equal to ${opts.itemMax}`,
        );
      }
      return item;
    });
  }

  numberList(field: string, opts: { max?: number } = {}): number[] | undefined {
    const v = this.list(field, opts);
    if (v === undefined) return undefined;
    return v.map((item, i) => {
      if (typeof item !== 'number' || !Number.isFinite(item)) {
        throw cwError.invalidValue(
          `The value ${String(item)} for parameter ${this.name(field)}.member.${i + 1} is invalid.`,
        );
      }
      return item;
    });
  }

  /** Each element of a list of structures, with its own `Fields` named `Field.member.N` as AWS names them. */
  structList(field: string, opts: { max?: number } = {}): Fields[] | undefined {
    const v = this.list(field, opts);
    if (v === undefined) return undefined;
    return v.map((item, i) => new Fields(item, `${this.name(field)}.member.${i + 1}`));
  }

  struct(field: string): Fields | undefined {
    const v = this.raw(field);
    if (v === undefined) return undefined;
    return new Fields(v, this.name(field));
  }
}

/** Opaque pagination tokens: the position to resume after, wrapped so that clients don't build them. */
export function encodeToken(position: string | number): string {
  return Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64url');
}

export function decodeToken<T extends string | number>(
  token: string | undefined,
  kind: 'string' | 'number',
): T | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === kind) return parsed.after as T;
  } catch {
    // fall through to the error below
  }
  throw cwError.invalidNextToken();
}
