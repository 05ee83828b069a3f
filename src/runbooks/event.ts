import * as z from '../zod.ts';
import type { EventFacts } from './facts.ts';

/**
 * The EventBridge events remediation acts on, in AWS's shapes. Fields faultline does not read are
 * let through (AWS adds fields over time); the ones it reads are checked, so a malformed event is
 * a reason, never a crash.
 */
const envelope = z.looseObject({
  id: z.string().check(z.minLength(1)),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().check(z.minLength(1)),
  time: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  resources: z._default(z.array(z.string()), []),
  detail: z.unknown(),
});

const alarmState = z.looseObject({
  value: z.string().check(z.minLength(1)),
  timestamp: z.string().check(z.minLength(1)),
});

const metricStat = z.looseObject({
  metric: z.looseObject({
    namespace: z.optional(z.string()),
    name: z.optional(z.string()),
    dimensions: z._default(z.record(z.string(), z.string()), {}),
  }),
});

const alarmDetail = z.looseObject({
  alarmName: z.string().check(z.minLength(1)),
  state: alarmState,
  previousState: z.optional(z.partial(alarmState)),
  configuration: z.optional(
    z.looseObject({
      metrics: z._default(z.array(z.looseObject({ metricStat: z.optional(metricStat) })), []),
    }),
  ),
});

const experimentState = z.looseObject({ status: z.string().check(z.minLength(1)) });
const experimentDetail = z.looseObject({
  'experiment-id': z.string().check(z.minLength(1)),
  'experiment-template-id': z.optional(z.string()),
  'new-state': experimentState,
  'old-state': z.optional(z.partial(experimentState)),
});

export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';
export const EXPERIMENT_DETAIL_TYPE = 'FIS Experiment State Change';

export type ParsedEvent = { ok: true; facts: EventFacts } | { ok: false; reason: string };

/** What an incoming event says, or why remediation cannot read it. */
export function parseEvent(raw: unknown, alarmTags?: Record<string, string>): ParsedEvent {
  const env = envelope.safeParse(raw, { reportInput: true });
  if (!env.success) return { ok: false, reason: `not an EventBridge event: ${issueText(env.error)}` };
  const e = env.data;
  const event = { id: e.id, region: e.region, account: e.account, time: e.time };
  if (e.source === 'aws.cloudwatch' && e['detail-type'] === ALARM_DETAIL_TYPE) {
    const d = alarmDetail.safeParse(e.detail, { reportInput: true });
    if (!d.success)
      return { ok: false, reason: `malformed alarm state change ${e.id}: ${issueText(d.error, 'detail')}` };
    const metric = d.data.configuration?.metrics.find((m) => m.metricStat)?.metricStat?.metric;
    return {
      ok: true,
      facts: {
        kind: 'alarm',
        event,
        alarm: {
          name: d.data.alarmName,
          arn: e.resources.find((r) => r.includes(':alarm:')),
          state: d.data.state.value,
          previousState: d.data.previousState?.value,
          stateTimestamp: d.data.state.timestamp,
          namespace: metric?.namespace,
          metric: metric?.name,
          dimensions: metric?.dimensions ?? {},
          tags: alarmTags,
        },
      },
    };
  }
  if (e.source === 'aws.fis' && e['detail-type'] === EXPERIMENT_DETAIL_TYPE) {
    const d = experimentDetail.safeParse(e.detail, { reportInput: true });
    if (!d.success)
      return {
        ok: false,
        reason: `malformed FIS experiment state change ${e.id}: ${issueText(d.error, 'detail')}`,
      };
    return {
      ok: true,
      facts: {
        kind: 'experiment',
        event,
        experiment: {
          id: d.data['experiment-id'],
          templateId: d.data['experiment-template-id'],
          status: d.data['new-state'].status,
          previousStatus: d.data['old-state']?.status,
        },
      },
    };
  }
  return {
    ok: false,
    reason: `event ${e.id} is '${e['detail-type']}' from ${e.source}; remediation acts on '${ALARM_DETAIL_TYPE}' (aws.cloudwatch) and '${EXPERIMENT_DETAIL_TYPE}' (aws.fis)`,
  };
}

/**
 * The keys a delivery is claimed under, so it acts once: the event id (EventBridge redelivers with
 * the same id), and the transition itself (the same alarm change reaching us as another event, e.g.
 * through a second rule or a replay). The transition comes first: it is the stronger of the two.
 */
export function dedupeKeys(facts: EventFacts): string[] {
  const transition = facts.alarm
    ? `alarm#${facts.event.account}#${facts.event.region}#${facts.alarm.name}#${facts.alarm.state}#${facts.alarm.stateTimestamp}`
    : `experiment#${facts.event.account}#${facts.event.region}#${facts.experiment!.id}#${facts.experiment!.status}`;
  return [transition, `event#${facts.event.id}`];
}

function issueText(error: z.core.$ZodError, prefix?: string): string {
  const issue = error.issues[0]!;
  const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
  const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
  return `${path || 'the event'} ${missing ? 'is missing' : `is invalid (${issue.message})`}`;
}
