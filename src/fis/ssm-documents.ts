/**
 * How FIS's SSM actions (aws:ssm:send-command, aws:ssm:start-automation-execution) name a document
 * and take its parameters.
 */

/** An SSM document ARN; AWS-owned documents have no account (`arn:aws:ssm:us-east-1::document/AWSFIS-…`). */
import { quote } from '../input/quote.ts';

const DOCUMENT_ARN = /^arn:aws[\w-]*:ssm:[a-z0-9-]+:(\d{12})?:document\/([\w.-]{3,128})$/;

/** The document's name, or undefined when `arn` is not an SSM document ARN. */
export function documentNameOf(arn: string): string | undefined {
  return DOCUMENT_ARN.exec(arn)?.[2];
}

export type DocumentParameters = Record<string, string | string[]>;

/**
 * Reads `documentParameters` as FIS takes it: a JSON object whose values are strings or arrays of
 * strings. Returns the object, or why the text is not one.
 */
export function parseDocumentParameters(text: string): DocumentParameters | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `must be a JSON object (got ${quote(text)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `must be a JSON object (got ${quote(text)})`;
  }
  for (const [key, v] of Object.entries(value)) {
    const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (!ok) return `must map each name to a string or an array of strings (${quote(key)} is not)`;
  }
  return value as DocumentParameters;
}
