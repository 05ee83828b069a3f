import type * as z from '../zod.ts';

/**
 * The event did not match what the handler expects. Not retried by the state machines (only
 * TransientAwsError is): a malformed input stays malformed. This module and describeIssue are
 * apart from handler.ts so that code that only checks input (the CLI, the report) does not load
 * the handler wrapper (middy, the Powertools logger).
 */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** zod's first issue as `path: message`, the form every faultline error names a field in. */
export function describeIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(input)';
  return `${where}: ${issue.message}`;
}
