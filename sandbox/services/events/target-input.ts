import { AwsError } from '../../protocol/types.ts';

/** What a target receives: the whole event, a constant, a part of the event, or a template filled from it. */
export interface TargetInputSpec {
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

const PATH = /^\$((\.[A-Za-z0-9_$@-]+)|(\[(\d+|'[^']*'|"[^"]*")\]))*$/;
const RESERVED = /^aws\.events\./;

/** Refuses what PutTargets refuses: more than one input option, a bad path, a placeholder with no path. */
export function checkTargetInput(spec: TargetInputSpec, targetId: string): void {
  const given = [spec.Input, spec.InputPath, spec.InputTransformer].filter((x) => x !== undefined);
  if (given.length > 1) {
    throw new AwsError(
      'ValidationException',
      `Target ${targetId}: only one of Input, InputPath and InputTransformer may be set`,
    );
  }
  if (spec.Input !== undefined) {
    try {
      JSON.parse(spec.Input);
    } catch {
      throw new AwsError('ValidationException', `Target ${targetId}: Input must be valid JSON`);
    }
  }
  if (spec.InputPath !== undefined) checkPath(spec.InputPath, `Target ${targetId}: InputPath`);
  const t = spec.InputTransformer;
  if (t) {
    if (typeof t.InputTemplate !== 'string') {
      throw new AwsError(
        'ValidationException',
        `Target ${targetId}: InputTransformer.InputTemplate is required`,
      );
    }
    for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) {
      if (RESERVED.test(name)) {
        throw new AwsError(
          'ValidationException',
          `Target ${targetId}: InputPathsMap key ${name} is reserved`,
        );
      }
      checkPath(path, `Target ${targetId}: InputPathsMap.${name}`);
    }
    for (const name of placeholders(t.InputTemplate)) {
      if (!(name in (t.InputPathsMap ?? {})) && !RESERVED.test(name)) {
        throw new AwsError(
          'ValidationException',
          `Target ${targetId}: InputTemplate placeholder <${name}> is not in InputPathsMap`,
        );
      }
    }
  }
}

function checkPath(path: string, where: string): void {
  if (!PATH.test(path)) throw new AwsError('ValidationException', `${where}: '${path}' is not a JSON path`);
}

/** The JSON text the target is sent for this event (the input options having been checked). */
export function targetInput(
  spec: TargetInputSpec,
  event: Record<string, unknown>,
  rule: { arn: string; name: string },
): string {
  if (spec.Input !== undefined) return spec.Input;
  if (spec.InputPath !== undefined) return JSON.stringify(select(event, spec.InputPath) ?? null);
  const t = spec.InputTransformer;
  if (!t) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event.ingestion-time': event.time,
    'aws.events.event': event,
    'aws.events.event.json': event,
  };
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) values[name] = select(event, path);
  return fillTemplate(t.InputTemplate, values);
}

/**
 * Replaces `<name>` placeholders as EventBridge does: inside a JSON string a value goes in as
 * text (a string without its quotes); elsewhere as JSON. A path that selects nothing gives null
 * (an empty string inside a string).
 */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (name && name in values) {
        const v = values[name];
        if (inString) {
          const text = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += JSON.stringify(v ?? null);
        }
        i = end;
        continue;
      }
    }
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
  }
  return out;
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
}

/** Follows a `$.a.b[0]['c']` path; undefined when it leads nowhere. */
export function select(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const m of path.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = m[1] ?? m[3] ?? m[4];
    cur = key !== undefined ? (cur as Record<string, unknown>)[key] : (cur as unknown[])[Number(m[2])];
  }
  return cur;
}
