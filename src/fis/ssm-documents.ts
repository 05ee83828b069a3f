/**
 * The FIS-owned SSM documents faultline lets aws:ssm:send-command run, and how their ARN and
 * `documentParameters` are read. The action runs whatever document it names on AWS; faultline
 * accepts only those the sandbox can play out too, so an experiment behaves alike in both.
 */

import { quote } from '../input/quote.ts';

export interface FisDocumentParameter {
  required: boolean;
  /** The accepted values, when the document restricts them. */
  allowed?: readonly string[];
}

export interface FisSsmDocument {
  name: string;
  parameters: Record<string, FisDocumentParameter>;
}

export const KILL_PROCESS_DOCUMENT = 'AWSFIS-Run-Kill-Process';

export const KILL_SIGNALS = ['SIGTERM', 'SIGKILL'] as const;

export const FIS_SSM_DOCUMENTS: Readonly<Record<string, FisSsmDocument>> = {
  [KILL_PROCESS_DOCUMENT]: {
    name: KILL_PROCESS_DOCUMENT,
    parameters: {
      ProcessName: { required: true },
      Signal: { required: false, allowed: KILL_SIGNALS },
      InstallDependencies: { required: false, allowed: ['True', 'False'] },
    },
  },
};

/** An SSM document ARN; AWS-owned documents have no account (`arn:aws:ssm:us-east-1::document/AWSFIS-…`). */
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

/** Why `given` does not suit the document (unknown, missing or disallowed parameters), or undefined. */
export function checkDocumentParameters(doc: FisSsmDocument, given: DocumentParameters): string | undefined {
  const known = Object.keys(doc.parameters);
  for (const [key, value] of Object.entries(given)) {
    const p = doc.parameters[key];
    if (!p) return `${key} is not a parameter of ${doc.name}; valid parameters: ${known.join(', ')}`;
    const values = typeof value === 'string' ? [value] : value;
    const bad = p.allowed ? values.find((v) => !p.allowed!.includes(v)) : undefined;
    if (bad !== undefined) {
      return `${key} of ${doc.name} must be one of ${p.allowed!.join(', ')} (got ${quote(bad)})`;
    }
    if (values.every((v) => v === '') && p.required) return `${key} of ${doc.name} must not be empty`;
  }
  for (const [key, p] of Object.entries(doc.parameters)) {
    if (p.required && given[key] === undefined) return `${key} is required by ${doc.name}`;
  }
  return undefined;
}
