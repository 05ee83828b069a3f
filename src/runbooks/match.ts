import { parseIsoDuration } from '../time/duration.ts';
import { dedupeKeys, parseEvent } from './event.ts';
import type { EventFacts } from './facts.ts';
import { globMatches } from './glob.ts';
import type { Runbook } from './schema.ts';
import { resolveTemplate } from './template.ts';

/** A runbook's action with the event's values filled in. */
export type PlannedAction =
  | { kind: 'automation'; document: string; version?: string; parameters: Record<string, string[]> }
  | {
      kind: 'failover';
      hostedZone: string;
      record: string;
      type: string;
      primary: string;
      secondary: string;
      healthCheck: string;
    };

export interface Match {
  matched: true;
  runbook: Runbook;
  facts: EventFacts;
  /** Claim these before acting (exactly once per event). */
  dedupeKeys: string[];
  /** What the runbook's limits count against. */
  resource: string;
  action: PlannedAction;
  verify: { withinMs: number; alarms: string[]; healthChecks: string[] };
}

export interface NoMatch {
  matched: false;
  /** For the timeline and the log: why nothing acts on this event. */
  reason: string;
  facts?: EventFacts;
}

export interface MatchContext {
  /** The alarm's tags, for runbooks that match on them (EventBridge does not carry tags). */
  alarmTags?: Record<string, string>;
}

/**
 * The first runbook (in the given order) that this event calls for, with everything it will do
 * filled in from the event; otherwise why none does. Never throws: whatever arrives, the answer
 * is a match or a reason.
 */
export function matchRunbook(
  raw: unknown,
  runbooks: readonly Runbook[],
  ctx: MatchContext = {},
): Match | NoMatch {
  const parsed = parseEvent(raw, ctx.alarmTags);
  if (!parsed.ok) return { matched: false, reason: parsed.reason };
  const facts = parsed.facts;
  const notRemediable = whyNotRemediable(facts);
  if (notRemediable) return { matched: false, reason: notRemediable, facts };
  const misses: string[] = [];
  for (const runbook of runbooks) {
    const miss = whyNot(runbook, facts);
    if (miss) {
      misses.push(`${runbook.name}: ${miss}`);
      continue;
    }
    const planned = plan(runbook, facts);
    if ('missing' in planned) {
      misses.push(`${runbook.name}: the event has no ${planned.missing} (${planned.field})`);
      continue;
    }
    return { matched: true, runbook, facts, dedupeKeys: dedupeKeys(facts), ...planned };
  }
  const what = facts.alarm ? `alarm '${facts.alarm.name}'` : `experiment ${facts.experiment!.id}`;
  return {
    matched: false,
    reason: `no runbook for ${what}${misses.length ? `: ${misses.join('; ')}` : ' (no runbooks loaded)'}`,
    facts,
  };
}

/** Alarm changes other than into ALARM are not failures to remedy. */
function whyNotRemediable(facts: EventFacts): string | undefined {
  const a = facts.alarm;
  if (!a) return undefined;
  if (a.state !== 'ALARM') return `alarm '${a.name}' went to ${a.state}; only changes to ALARM are remedied`;
  if (a.previousState === 'ALARM') return `alarm '${a.name}' was already in ALARM; not a new transition`;
  return undefined;
}

/** Why this runbook does not apply to the event; undefined when it does. */
function whyNot(runbook: Runbook, facts: EventFacts): string | undefined {
  const m = runbook.match;
  if (m.alarm) {
    const a = facts.alarm;
    if (!a) return 'matches alarms, not FIS experiments';
    if (m.alarm.name !== undefined) {
      const names = Array.isArray(m.alarm.name) ? m.alarm.name : [m.alarm.name];
      if (!names.some((g) => globMatches(g, a.name))) return `alarm name is not ${names.join(' or ')}`;
    }
    if (m.alarm.namespace !== undefined && m.alarm.namespace !== a.namespace)
      return `namespace ${a.namespace ?? '(none)'} is not ${m.alarm.namespace}`;
    if (m.alarm.metric !== undefined && m.alarm.metric !== a.metric)
      return `metric ${a.metric ?? '(none)'} is not ${m.alarm.metric}`;
    for (const [dim, g] of Object.entries(m.alarm.dimensions ?? {})) {
      const v = a.dimensions[dim];
      if (v === undefined || !globMatches(g, v)) return `dimension ${dim} is ${v ?? '(absent)'}, not ${g}`;
    }
    const tags = Object.entries(m.alarm.tags ?? {});
    if (tags.length > 0 && a.tags === undefined)
      return "matches on tags, and the alarm's tags were not looked up";
    for (const [key, g] of tags) {
      const v = a.tags?.[key];
      if (v === undefined || !globMatches(g, v)) return `tag ${key} is ${v ?? '(absent)'}, not ${g}`;
    }
    return undefined;
  }
  const x = facts.experiment;
  if (!x) return 'matches FIS experiments, not alarms';
  if (!(m.experiment!.status as readonly string[]).includes(x.status))
    return `status ${x.status} is not ${m.experiment!.status.join(' or ')}`;
  if (m.experiment!.template !== undefined && !globMatches(m.experiment!.template, x.templateId ?? ''))
    return `template ${x.templateId ?? '(none)'} is not ${m.experiment!.template}`;
  return undefined;
}

type Planned = Pick<Match, 'resource' | 'action' | 'verify'>;

/** The runbook's templates filled in from the event; the first value the event lacks otherwise. */
function plan(runbook: Runbook, facts: EventFacts): Planned | { missing: string; field: string } {
  let missing: { missing: string; field: string } | undefined;
  const fill = (text: string, field: string): string => {
    const r = resolveTemplate(text, facts);
    if (!r.ok) missing ??= { missing: r.missing, field };
    return r.ok ? r.value : '';
  };
  const defaultResource = facts.alarm ? facts.alarm.name : facts.experiment!.id;
  const resource = runbook.limits.resource
    ? fill(runbook.limits.resource, 'limits.resource')
    : defaultResource;
  const a = runbook.action;
  const action: PlannedAction = a.automation
    ? {
        kind: 'automation',
        document: a.automation.document,
        ...(a.automation.version ? { version: a.automation.version } : {}),
        parameters: Object.fromEntries(
          Object.entries(a.automation.parameters).map(([k, v]) => [
            k,
            (Array.isArray(v) ? v : [v]).map((t) => fill(t, `action.automation.parameters.${k}`)),
          ]),
        ),
      }
    : { kind: 'failover', ...a.failover! };
  const verify = {
    withinMs: parseIsoDuration(runbook.verify.within)!,
    alarms: runbook.verify.alarms.map((t) => fill(t, 'verify.alarms')),
    healthChecks: runbook.verify.healthChecks.map((t) => fill(t, 'verify.healthChecks')),
  };
  return missing ?? { resource, action, verify };
}
