import { quote } from '../input/quote.ts';
import { formatIsoDuration, parseIsoDuration } from '../time/duration.ts';
import type { ValueFormat } from './catalog.ts';
import { parseDocumentParameters } from './ssm-documents.ts';

/**
 * Why `value` is not written as `format` says (a phrase that follows the parameter's name), or
 * undefined when it is. FIS takes every parameter as text; these are the forms its documentation
 * gives for each.
 */
export function valueProblem(format: ValueFormat, value: string): string | undefined {
  switch (format.kind) {
    case 'duration':
      return durationProblem(format, value);
    case 'integer':
    case 'number':
      return numberProblem(format, value);
    case 'boolean':
      return /^(true|false)$/i.test(value) ? undefined : `must be true or false (got ${quote(value)})`;
    case 'enum':
      return format.values.includes(value)
        ? undefined
        : `must be one of ${format.values.join(', ')} (got ${quote(value)})`;
    case 'list':
      return listProblem(format, value);
    case 'json':
      try {
        JSON.parse(value);
        return undefined;
      } catch {
        return `must be JSON (got ${quote(value)})`;
      }
    case 'document-parameters': {
      const parsed = parseDocumentParameters(value);
      return typeof parsed === 'string' ? parsed : undefined;
    }
    case 'arn':
      return arnMatches(value, format.service, format.resource)
        ? undefined
        : `must be the ARN of ${format.noun} (got ${quote(value)})`;
  }
}

function durationProblem(format: { min?: string; max?: string }, value: string): string | undefined {
  const ms = parseIsoDuration(value);
  if (ms === undefined) return `must be an ISO 8601 duration such as PT5M (got ${quote(value)})`;
  const min = format.min === undefined ? undefined : parseIsoDuration(format.min);
  const max = format.max === undefined ? undefined : parseIsoDuration(format.max);
  if ((min !== undefined && ms < min) || (max !== undefined && ms > max)) {
    if (min !== undefined && max !== undefined) {
      return `must be between ${format.min} and ${format.max} (got ${quote(value)})`;
    }
    return min !== undefined
      ? `must be at least ${format.min} (got ${quote(value)})`
      : `must be at most ${format.max} (got ${quote(value)}, ${formatIsoDuration(ms)})`;
  }
  return undefined;
}

function numberProblem(format: { kind: 'integer' | 'number'; min?: number; max?: number }, value: string) {
  const pattern = format.kind === 'integer' ? /^-?\d+$/ : /^-?(\d+(\.\d*)?|\.\d+)$/;
  const what = format.kind === 'integer' ? 'a whole number' : 'a number';
  const n = Number(value);
  const range =
    format.min !== undefined && format.max !== undefined
      ? ` from ${format.min} to ${format.max}`
      : format.min !== undefined
        ? ` of at least ${format.min}`
        : format.max !== undefined
          ? ` of at most ${format.max}`
          : '';
  if (!pattern.test(value.trim()) || !Number.isFinite(n))
    return `must be ${what}${range} (got ${quote(value)})`;
  if ((format.min !== undefined && n < format.min) || (format.max !== undefined && n > format.max)) {
    return `must be ${what}${range} (got ${quote(value)})`;
  }
  return undefined;
}

function listProblem(format: { item?: ValueFormat; max?: number }, value: string): string | undefined {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((i) => i === ''))
    return `must be a comma-separated list without empty items (got ${quote(value)})`;
  if (format.max !== undefined && items.length > format.max) {
    return `takes at most ${format.max} comma-separated items (got ${items.length})`;
  }
  if (!format.item) return undefined;
  for (const item of items) {
    const problem = valueProblem(format.item, item);
    if (problem)
      return `has an item that is not valid: ${quote(item)} ${problem.replace(/ \(got '[^']*'\)$/, '')}`;
  }
  return undefined;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, with the service and resource start given. */
export function arnMatches(arn: string, service: string, resource?: string): boolean {
  const m = /^arn:aws[\w-]*:([a-z0-9-]+):[^:\s]*:[^:\s]*:(\S+)$/.exec(arn);
  return m !== null && m[1] === service && (resource === undefined || m[2]!.startsWith(resource));
}
