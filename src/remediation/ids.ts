import { createHash } from 'node:crypto';
import type { EventFacts } from '../runbooks/facts.ts';

/**
 * The incident a remediation opens for an alarm transition (or an experiment's state change):
 * the same transition always names the same incident, so a duplicate delivery joins it instead of
 * opening a second. E.g. `remediation-checkout-unhealthy-hosts-20260105T091200000Z`.
 */
export function remediationIncidentId(subject: { name: string; state: string; at: string }): string {
  const ms = Date.parse(subject.at);
  const stamp = Number.isNaN(ms)
    ? createHash('sha256').update(subject.at).digest('hex').slice(0, 12)
    : new Date(ms).toISOString().replace(/[-:.]/g, '');
  return `remediation-${subject.name}-${subject.state}-${stamp}`;
}

/** The timeline of a day's events that nothing acted on (no runbook, malformed): one per UTC day. */
export function droppedEventsIncidentId(at: Date): string {
  return `remediation-dropped-${at.toISOString().slice(0, 10)}`;
}

/** Whether an incident is a day's dropped-events timeline (a log of what nothing acted on). */
export function isDroppedEventsIncidentId(incidentId: string): boolean {
  return /^remediation-dropped-\d{4}-\d{2}-\d{2}$/.test(incidentId);
}

/**
 * A client token for SSM (which wants a UUID) derived from a dedupe key: every delivery of the same
 * transition asks for the same execution, and SSM starts it once. The shape of a version-5 UUID.
 */
export function clientTokenFor(key: string): string {
  const h = createHash('sha256').update(`faultline:${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The service an event is about, to find the game day running on it: the alarm metric's `Service`
 * dimension, else its tag, else the alarm name's first word (`checkout-5xx-rate` → `checkout`, the
 * naming the shipped worlds and experiments follow).
 */
export function serviceOf(facts: EventFacts): string {
  const a = facts.alarm;
  if (!a) return 'unknown';
  return a.dimensions.Service ?? a.tags?.Service ?? a.name.split('-')[0] ?? a.name;
}
