import type { ReportFacts } from './attributes.ts';
import type { Fact } from './timeline.ts';

/** One transition of a steady-state subject (an alarm or a health check). */
export interface Transition {
  at: number;
  steady: boolean;
  eventId: string;
  /** `ALARM`, `OK`, `healthy`, … as shown to people. */
  state: string;
}

/** A subject of the steady state and its transitions, oldest first. */
export interface SubjectHistory {
  subject: string;
  kind: 'alarm' | 'healthCheck';
  transitions: Transition[];
}

/**
 * The steady state's subjects and what happened to them: the hypothesis' alarms (OK is steady) and
 * health checks (healthy is steady), or — when the incident names no hypothesis — every alarm and
 * health check on the timeline.
 */
export function steadyStateHistories(facts: readonly Fact[], attrs: ReportFacts): SubjectHistory[] {
  const named = attrs.hypothesis;
  const byName = new Map<string, SubjectHistory>();
  const ensure = (subject: string, kind: SubjectHistory['kind']) => {
    const key = `${kind}\u0000${subject}`;
    let h = byName.get(key);
    if (!h) {
      h = { subject, kind, transitions: [] };
      byName.set(key, h);
    }
    return h;
  };
  for (const a of named?.alarms ?? []) ensure(a, 'alarm');
  for (const c of named?.healthChecks ?? []) ensure(c, 'healthCheck');
  const alarms = named ? new Set(named.alarms) : undefined;
  const checks = named ? new Set(named.healthChecks) : undefined;
  for (const f of facts) {
    const t = f.typed;
    if (t?.kind === 'alarm.state') {
      if (alarms && !alarms.has(t.detail.alarm)) continue;
      ensure(t.detail.alarm, 'alarm').transitions.push({
        at: f.at,
        steady: t.detail.to === 'OK',
        eventId: f.event.eventId,
        state: t.detail.to,
      });
    } else if (t?.kind === 'healthcheck.status') {
      const { healthCheckId, name, healthy } = t.detail;
      const subject = checks
        ? checks.has(healthCheckId)
          ? healthCheckId
          : name !== undefined && checks.has(name)
            ? name
            : undefined
        : (name ?? healthCheckId);
      if (subject === undefined) continue;
      ensure(subject, 'healthCheck').transitions.push({
        at: f.at,
        steady: healthy,
        eventId: f.event.eventId,
        state: healthy ? 'healthy' : 'unhealthy',
      });
    }
  }
  return [...byName.values()];
}

/** The subject's last transition strictly before `at`, if any. */
export function stateBefore(h: SubjectHistory, at: number): Transition | undefined {
  let found: Transition | undefined;
  for (const t of h.transitions) {
    if (t.at >= at) break;
    found = t;
  }
  return found;
}

/** Periods a subject spent out of its steady state; `to` is null when it never came back. */
export interface Episode {
  subject: string;
  kind: SubjectHistory['kind'];
  state: string;
  from: number;
  to: number | null;
}

export function episodesOf(h: SubjectHistory): Episode[] {
  const out: Episode[] = [];
  let open: Episode | undefined;
  for (const t of h.transitions) {
    if (!t.steady && !open) {
      open = { subject: h.subject, kind: h.kind, state: t.state, from: t.at, to: null };
      out.push(open);
    } else if (t.steady && open) {
      open.to = t.at;
      open = undefined;
    }
  }
  return out;
}

/**
 * Whether every subject is steady at the end of the timeline (`out` when one is not), and the
 * latest return to steady at or after `from` among them: the transition that made the steady state
 * whole again, as far as alarms and health checks tell. `last` is null when none came back since.
 */
export function backToSteady(
  histories: readonly SubjectHistory[],
  from: number,
): { out: boolean; last: (Transition & { subject: string }) | null } {
  let last: (Transition & { subject: string }) | null = null;
  for (const h of histories) {
    const t = h.transitions[h.transitions.length - 1];
    if (!t) continue;
    if (!t.steady) return { out: true, last: null };
    const left = h.transitions.some((x) => !x.steady);
    if (left && t.at >= from && (last === null || t.at > last.at)) last = { ...t, subject: h.subject };
  }
  return { out: false, last };
}
