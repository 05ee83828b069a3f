import type { FieldIssue } from '../experiments/field-issue.ts';
import type { FieldPath } from '../fis/problem.ts';
import type { Runbook } from './schema.ts';
import { referencesIn } from './template.ts';

/**
 * What the schema cannot see field by field: a reference to the other kind of event (an
 * `experiment.*` value in a runbook that matches alarms can never be filled in).
 */
export function findRunbookProblem(runbook: Runbook): FieldIssue | undefined {
  const kind = runbook.match.alarm ? 'alarm' : 'experiment';
  const other = kind === 'alarm' ? 'experiment' : 'alarm';
  for (const [path, text] of templatedFields(runbook)) {
    const ref = referencesIn(text).find((p) => p[0] === other);
    if (ref)
      return {
        path,
        detail: `refers to ${ref.join('.')}, but this runbook matches ${kind === 'alarm' ? 'alarms' : 'FIS experiments'}, whose events have no ${other}`,
      };
  }
  return undefined;
}

/** Every field that may hold references, with its path in the file. */
export function templatedFields(runbook: Runbook): [FieldPath, string][] {
  const out: [FieldPath, string][] = [];
  for (const [key, value] of Object.entries(runbook.action.automation?.parameters ?? {})) {
    const path = ['action', 'automation', 'parameters', key];
    if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push([[...path, i], v]);
    else out.push([path, value]);
  }
  for (const [i, v] of runbook.verify.alarms.entries()) out.push([['verify', 'alarms', i], v]);
  for (const [i, v] of runbook.verify.healthChecks.entries()) out.push([['verify', 'healthChecks', i], v]);
  if (runbook.limits.resource) out.push([['limits', 'resource'], runbook.limits.resource]);
  return out;
}
