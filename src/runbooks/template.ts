import { type EventFacts, type FactPath, factValue, unknownFact } from './facts.ts';

/**
 * Text with `{{alarm.dimensions.InstanceId}}`-style references to the triggering event, as runbook
 * parameters, resources and verifications write it. (SSM documents use `{{ Name }}` for their own
 * parameters, but those live in the document, never in a runbook's values.)
 */
const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function referencesIn(text: string): FactPath[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1]!.split('.'));
}

/** The first reference in the text that names nothing an event tells, worded for the file's author. */
export function badReference(text: string): string | undefined {
  if (/\{\{(?![^{}]*\}\})/.test(text)) return `has a '{{' without its closing '}}'`;
  for (const path of referencesIn(text)) {
    const why = unknownFact(path);
    if (why) return why;
  }
  return undefined;
}

export type Resolved = { ok: true; value: string } | { ok: false; missing: string };

/** The text with each reference replaced by the event's value; the first one the event lacks otherwise. */
export function resolveTemplate(text: string, facts: EventFacts): Resolved {
  let missing: string | undefined;
  const value = text.replace(REFERENCE, (_, ref: string) => {
    const v = factValue(facts, ref.split('.'));
    if (v === undefined) missing ??= ref;
    return v ?? '';
  });
  return missing === undefined ? { ok: true, value } : { ok: false, missing };
}
