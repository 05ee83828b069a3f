import type { ExtraMetric } from '../../src/experiments/schema.ts';
import type { ReportKind, ReportKinds } from '../../src/report/details.ts';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';
import type { EventKind, EventKinds } from '../../src/timeline/kinds.ts';

/** Builds timeline events by hand: times are UTC `HH:MM:SS` on DAY unless a full ISO time is given. */
export const DAY = '2026-01-06';

export function iso(time: string): string {
  return time.includes('T') ? time : `${DAY}T${time}.000Z`;
}

export const ms = (time: string) => Date.parse(iso(time));

/** The events as the timeline store returns them when written in this order: numbered 1, 2, … */
export function numbered(events: readonly TimelineEvent[]): TimelineEvent[] {
  return events.map((e, i) => ({ ...e, seq: i + 1 }));
}

export function ev<K extends EventKind>(
  incidentId: string,
  time: string,
  eventId: string,
  kind: K,
  detail: EventKinds[K],
  summary = `${kind} ${eventId}`,
): TimelineEvent {
  const at = iso(time);
  return {
    incidentId,
    eventId,
    occurredAt: at,
    recordedAt: new Date(Date.parse(at) + 1500).toISOString(),
    source: sourceOf(kind),
    kind,
    summary,
    detail: detail as Record<string, unknown>,
  };
}

/** `ev` for any kind the report reads (the remediation flow's and approvals' too); extra detail fields allowed. */
export function anyEv<K extends ReportKind>(
  incidentId: string,
  time: string,
  eventId: string,
  kind: K,
  detail: ReportKinds[K] & Record<string, unknown>,
  summary = `${kind} ${eventId}`,
): TimelineEvent {
  return ev(incidentId, time, eventId, kind as unknown as EventKind, detail as never, summary);
}

function sourceOf(kind: string): TimelineEvent['source'] {
  if (kind.startsWith('gameday.')) return 'gameday';
  if (kind.startsWith('fis.')) return 'fis';
  if (kind.startsWith('alarm.')) return 'cloudwatch';
  if (kind.startsWith('healthcheck.') || kind.startsWith('route53.')) return 'route53';
  if (kind.startsWith('metrics.')) return 'metrics';
  if (kind.startsWith('ssm.')) return 'ssm';
  if (kind.startsWith('notification.')) return 'notification';
  if (kind.startsWith('approval.') || kind === 'remediation.approval') return 'approval';
  if (kind.startsWith('remediation.')) return 'remediation';
  return 'person';
}

export function sample(
  requestRate: number,
  errorRatePercent: number,
  p99LatencyMs: number,
  hosts: [number, number, number],
  replicaLagMs: number,
): EventKinds['metrics.sample'] {
  return {
    requestRate,
    errorRatePercent,
    p99LatencyMs,
    healthyHostsByAz: { 'us-east-1a': hosts[0], 'us-east-1b': hosts[1], 'us-east-1c': hosts[2] },
    replicaLagMs,
  };
}

/** The hypothesis's bound on the error rate the shipped experiments share: at most 1 %. */
const ERROR_RATE_BOUND = {
  name: 'error-rate',
  namespace: 'Faultline/Service',
  metric: 'ErrorRate',
  dimensions: { Service: 'checkout' },
  statistic: 'Average',
  max: 1,
};

export const AZ_OUTAGE_ATTRIBUTES = {
  experiment: {
    name: 'az-outage',
    description:
      'Power interruption in us-east-1a for 10 minutes; checkout must ride it out on the other AZs.',
    objectives: { rto: 'PT15M', rpo: 'PT1M', availabilitySlo: 99.9, sloWindow: 'P30D' },
    hypothesis: {
      alarms: ['checkout-5xx-rate', 'checkout-p99-latency', 'checkout-unhealthy-hosts'],
      healthChecks: ['checkout-primary'],
      metrics: [ERROR_RATE_BOUND],
    },
  },
};

/**
 * What the AZ-outage game day's world did, minute by minute (UTC), and so what the report must
 * find: the ground truth the tests check the derived moments against.
 */
export const AZ_OUTAGE_TRUTH = {
  impactStarted: '09:00:10',
  detected: '09:02:30',
  responded: '09:02:45',
  /** The first minute from which the error rate stayed within its bound: users no longer saw the fault. */
  mitigated: '09:03:00',
  /** The last steady-state alarm back to OK (checkout-unhealthy-hosts); the recovery check came later, at 09:13:31. */
  recovered: '09:13:00',
  resolved: '09:15:00',
  /** The last action that acts on something (power-off, isolate) ended; the experiment two seconds later. */
  faultEnded: '09:10:10',
  experimentEnded: '09:10:12',
  /** power-off 10 min + isolate 10 min + failover 1 min 20 s. */
  actionMinutes: 10 + 10 + 80 / 60,
  /** requests per second, 5xx %, p99 ms, healthy hosts per AZ, replica lag ms; by minute. */
  samples: {
    '08:57': sample(480, 0.05, 280, [2, 2, 2], 20),
    '08:58': sample(482, 0.05, 281, [2, 2, 2], 21),
    '08:59': sample(479, 0.05, 279, [2, 2, 2], 20),
    '09:00': sample(481, 0.06, 290, [2, 2, 2], 20),
    '09:01': sample(480, 22, 900, [0, 2, 2], 6400),
    '09:02': sample(478, 8, 620, [0, 2, 2], 900),
    '09:03': sample(480, 0.4, 560, [0, 2, 2], 25),
    '09:04': sample(481, 0.3, 552, [0, 2, 2], 22),
    '09:05': sample(480, 0.3, 549, [0, 2, 2], 21),
    '09:06': sample(479, 0.3, 551, [0, 2, 2], 20),
    '09:07': sample(480, 0.3, 550, [0, 2, 2], 20),
    '09:08': sample(482, 0.3, 548, [0, 2, 2], 20),
    '09:09': sample(480, 0.3, 551, [0, 2, 2], 20),
    '09:10': sample(480, 0.3, 547, [0, 2, 2], 20),
    '09:11': sample(479, 0.2, 420, [1, 2, 2], 20),
    '09:12': sample(480, 0.05, 285, [2, 2, 2], 20),
    '09:13': sample(481, 0.05, 281, [2, 2, 2], 20),
    '09:14': sample(480, 0.05, 280, [2, 2, 2], 20),
    '09:15': sample(480, 0.05, 282, [2, 2, 2], 21),
    '09:16': sample(481, 0.05, 279, [2, 2, 2], 20),
    '09:17': sample(479, 0.05, 280, [2, 2, 2], 20),
  } as Record<string, EventKinds['metrics.sample']>,
};

export function azOutageIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incidentId: 'gd-az-outage-1',
    kind: 'gameday',
    title: 'Game day az-outage on checkout',
    service: 'checkout',
    openedAt: iso('08:59:58'),
    status: 'resolved',
    closedAt: iso(AZ_OUTAGE_TRUTH.resolved),
    attributes: AZ_OUTAGE_ATTRIBUTES,
    ...overrides,
  };
}

/** A realistic AZ-outage game day's timeline, as the game-day handlers and FIS would write it. */
export function azOutageTimeline(incidentId = 'gd-az-outage-1'): TimelineEvent[] {
  const e = <K extends EventKind>(
    time: string,
    id: string,
    kind: K,
    detail: EventKinds[K],
    summary?: string,
  ) => ev(incidentId, time, id, kind, detail, summary);
  const exp = 'EXP4z9kPq2';
  // As the game-day steps write them: a loop's states carry their time round in the id and detail.
  const step = (
    time: string,
    name: string,
    opts: { attempt?: number; iteration?: number; durationMs?: number } = {},
  ) => {
    const attempt = opts.attempt ?? 1;
    const key = opts.iteration === undefined ? name : `${name}#${opts.iteration}`;
    const loop = opts.iteration === undefined ? {} : { iteration: opts.iteration };
    return [
      e(
        time,
        `step:${key}:started:${attempt}`,
        'gameday.step',
        { step: name, status: 'started', attempt, ...loop },
        `${name} started`,
      ),
      e(
        time.replace(/:(\d\d)$/, (_, sec) => `:${String(Number(sec) + 1).padStart(2, '0')}`),
        `step:${key}:succeeded:${attempt}`,
        'gameday.step',
        {
          step: name,
          status: 'succeeded',
          attempt,
          ...loop,
          ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
        },
        `${name} succeeded`,
      ),
    ];
  };
  const alarm = (time: string, name: string, from: string, to: string) =>
    e(
      time,
      `alarm:${name}:${iso(time)}`,
      'alarm.state',
      { alarm: name, from, to, reason: `Threshold crossed (${to})` },
      `alarm ${name} ${from} → ${to}`,
    );
  const action = (time: string, name: string, actionId: string, status: string) =>
    e(
      time,
      `fis:action:${exp}:${name}:${status}`,
      'fis.action',
      { experimentId: exp, action: name, actionId, status },
      `FIS action ${name} ${status}`,
    );
  const events: TimelineEvent[] = [
    ...step('08:59:58', 'OpenIncident', { durationMs: 180 }),
    e('09:00:00', 'preflight:kill-switch', 'gameday.preflight', {
      name: 'kill-switch',
      ok: true,
      detail: 'off',
    }),
    e('09:00:00', 'preflight:steady-state', 'gameday.preflight', {
      name: 'steady-state',
      ok: true,
      detail: 'all OK',
    }),
    e('09:00:00', 'preflight:exclusive', 'gameday.preflight', {
      name: 'exclusive',
      ok: true,
      detail: 'nothing running',
    }),
    ...step('09:00:00', 'Preflight', { durationMs: 420 }),
    ...step('09:00:02', 'EnsureTemplate', { durationMs: 300 }),
    e('09:00:03', 'fis:template:EXT1:created', 'fis.template', { templateId: 'EXT1', action: 'created' }),
    ...step('09:00:04', 'StartExperiment', { durationMs: 250 }),
    e(
      '09:00:04',
      `fis:experiment:${exp}:initiating`,
      'fis.experiment',
      { experimentId: exp, status: 'initiating' },
      'experiment initiating',
    ),
    e('09:00:05', `fis:targets:${exp}:az-instances`, 'fis.targets', {
      experimentId: exp,
      target: 'az-instances',
      resourceType: 'aws:ec2:instance',
      resources: ['i-0a1', 'i-0a2'],
    }),
    e('09:00:05', `fis:targets:${exp}:az-subnets`, 'fis.targets', {
      experimentId: exp,
      target: 'az-subnets',
      resourceType: 'aws:ec2:subnet',
      resources: ['subnet-0a'],
    }),
    e('09:00:05', `fis:targets:${exp}:database`, 'fis.targets', {
      experimentId: exp,
      target: 'database',
      resourceType: 'aws:rds:cluster',
      resources: ['checkout-db'],
    }),
    e(
      '09:00:10',
      `fis:experiment:${exp}:running`,
      'fis.experiment',
      { experimentId: exp, status: 'running' },
      'experiment running',
    ),
    action('09:00:10', 'power-off-instances', 'aws:ec2:stop-instances', 'running'),
    action('09:00:10', 'isolate-subnets', 'aws:network:disrupt-connectivity', 'running'),
    action('09:00:10', 'failover-database', 'aws:rds:failover-db-cluster', 'running'),
    action('09:01:30', 'failover-database', 'aws:rds:failover-db-cluster', 'completed'),
    alarm('09:02:30', 'checkout-unhealthy-hosts', 'OK', 'ALARM'),
    e(
      '09:02:45',
      'note:0001',
      'note',
      { author: 'alice', text: 'Paged by unhealthy hosts; watching.' },
      'alice: Paged by unhealthy hosts; watching.',
    ),
    alarm('09:03:00', 'checkout-5xx-rate', 'OK', 'ALARM'),
    alarm('09:05:00', 'checkout-5xx-rate', 'ALARM', 'OK'),
    action('09:10:10', 'power-off-instances', 'aws:ec2:stop-instances', 'completed'),
    action('09:10:10', 'isolate-subnets', 'aws:network:disrupt-connectivity', 'completed'),
    e(
      '09:10:12',
      `fis:experiment:${exp}:completed`,
      'fis.experiment',
      { experimentId: exp, status: 'completed', reason: 'Experiment completed.' },
      'experiment completed',
    ),
    alarm('09:13:00', 'checkout-unhealthy-hosts', 'ALARM', 'OK'),
    ...step('09:11:12', 'VerifyRecovery', { iteration: 1 }),
    ...step('09:12:12', 'VerifyRecovery', { iteration: 2 }),
    ...step('09:13:30', 'VerifyRecovery', { iteration: 3 }),
    e(
      '09:13:31',
      'recovery:recovered',
      'gameday.recovery',
      {
        recovered: true,
        faultEndedAt: iso(AZ_OUTAGE_TRUTH.faultEnded),
        deadline: iso('09:25:10'),
      },
      'steady state back',
    ),
    ...step('09:13:40', 'RenderReport'),
    e('09:14:00', 'notification:m-1', 'notification.sent', {
      topicArn: 'arn:aws:sns:us-east-1:123456789012:faultline',
      messageId: 'm-1',
      subject: 'Game day done',
    }),
  ];
  for (let m = 1; m <= 10; m++) {
    const t = `09:${String(m).padStart(2, '0')}:10`;
    if (m !== 4)
      events.push(...step(t, 'Observe', { iteration: m, durationMs: m % 2 === 0 ? 900 : undefined }));
  }
  // The fourth Observe was throttled, and the state machine retried it: two attempts of one time round.
  events.push(
    e('09:04:10', 'step:Observe#4:started:1', 'gameday.step', {
      step: 'Observe',
      status: 'started',
      attempt: 1,
      iteration: 4,
    }),
    e(
      '09:04:12',
      'step:Observe#4:failed:1',
      'gameday.step',
      { step: 'Observe', status: 'failed', attempt: 1, iteration: 4, error: 'TransientAwsError: throttled' },
      'Observe failed: TransientAwsError: throttled',
    ),
    ...step('09:04:15', 'Observe', { attempt: 2, iteration: 4, durationMs: 900 }),
  );
  for (const [minute, s] of Object.entries(AZ_OUTAGE_TRUTH.samples)) {
    events.push(
      e(`${minute}:00`, `metrics:${iso(`${minute}:00`)}`, 'metrics.sample', s, `metrics ${minute}`),
    );
  }
  return events;
}

/**
 * A long, busy incident of about `count` events: the AZ-outage game day's start, then per minute a
 * metric sample, an Observe step (started and succeeded), alarms flapping and the odd note, and the
 * experiment's end. For benchmarks and the linear-growth checks.
 */
export function largeTimeline(count: number, incidentId = 'gd-az-outage-1'): TimelineEvent[] {
  const start = ms('09:00:00');
  const events = azOutageTimeline(incidentId).filter((x) => Date.parse(x.occurredAt) < ms('09:10:00'));
  const at = (t: number) => new Date(t).toISOString();
  const add = <K extends EventKind>(t: number, id: string, kind: K, detail: EventKinds[K], summary: string) =>
    events.push(ev(incidentId, at(t), id, kind, detail, summary));
  let minute = 10;
  const states = new Map<string, string>();
  while (events.length < count - 2) {
    const t = start + minute * 60_000;
    const s = AZ_OUTAGE_TRUTH.samples['09:05']!;
    add(t, `metrics:${at(t)}`, 'metrics.sample', { ...s, requestRate: 470 + (minute % 20) }, 'metrics');
    add(
      t + 10_000,
      `step:Observe#${minute}:started:1`,
      'gameday.step',
      { step: 'Observe', status: 'started', attempt: 1, iteration: minute },
      'Observe started',
    );
    add(
      t + 11_000,
      `step:Observe#${minute}:succeeded:1`,
      'gameday.step',
      { step: 'Observe', status: 'succeeded', attempt: 1, iteration: minute, durationMs: 850 },
      'Observe succeeded',
    );
    const alarm = `flapping-${minute % 7}`;
    const from = states.get(alarm) ?? 'OK';
    const to = from === 'OK' ? 'ALARM' : 'OK';
    states.set(alarm, to);
    add(
      t + 20_000,
      `alarm:${alarm}:${at(t + 20_000)}`,
      'alarm.state',
      { alarm, from, to, reason: 'flap' },
      `alarm ${alarm} ${from} → ${to}`,
    );
    if (minute % 50 === 0) {
      add(
        t + 30_000,
        `note:${minute}`,
        'note',
        { author: 'bob', text: `still flapping <${minute}>` },
        `bob: still flapping <${minute}>`,
      );
    }
    minute++;
  }
  const end = start + minute * 60_000;
  add(
    end,
    'fis:experiment:EXP4z9kPq2:completed',
    'fis.experiment',
    { experimentId: 'EXP4z9kPq2', status: 'completed' },
    'experiment completed',
  );
  add(
    end + 1000,
    'recovery:recovered',
    'gameday.recovery',
    { recovered: true, recoveredAt: at(end + 1000), deadline: at(end + 900_000) },
    'steady state back',
  );
  return events;
}

export const INSTANCE_KILL_ATTRIBUTES = {
  experiment: 'instance-kill',
  description: 'The checkout process is killed on one host; it must be back within the RTO.',
  objectives: { rto: 'PT10M', availabilitySlo: 99.9 },
  hypothesis: {
    alarms: ['checkout-5xx-rate', 'checkout-unhealthy-hosts'],
    healthChecks: [],
    metrics: [ERROR_RATE_BOUND],
  },
};

export function instanceKillIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incidentId: 'gd-instance-kill-1',
    kind: 'gameday',
    title: 'Game day instance-kill on checkout',
    service: 'checkout',
    openedAt: iso('09:00:00'),
    status: 'resolved',
    closedAt: iso('09:10:00'),
    attributes: INSTANCE_KILL_ATTRIBUTES,
    ...overrides,
  };
}

/**
 * The instance-kill game day as the sandbox plays it: the process dies at 09:00:03 (an instant
 * action), a wait holds the experiment open until 09:08:03; the load balancer stops sending to the
 * dead host within the minute (5xx back under 1 % from 09:01); the unhealthy-hosts alarm fires at
 * 09:03:05, the runbook reboots the host (SSM ends 09:05:45), the alarm is OK at 09:07:05, the
 * remediation verifies at 09:07:20; the game day's own recovery check (a minute poll) says so at
 * 09:10:00. With `remediation: false` nothing reboots the host: the alarm stays in ALARM and the
 * check gives up at the deadline.
 */
export function instanceKillTimeline(opts: { remediation?: boolean } = {}): TimelineEvent[] {
  const remediation = opts.remediation ?? true;
  const id = 'gd-instance-kill-1';
  const exp = 'EXPkill1';
  const e = <K extends ReportKind>(
    time: string,
    eventId: string,
    kind: K,
    detail: ReportKinds[K],
    summary?: string,
  ) => anyEv(id, time, eventId, kind, detail as ReportKinds[K] & Record<string, unknown>, summary);
  const action = (time: string, name: string, actionId: string, status: string) =>
    e(time, `fis:action:${exp}:${name}:${status}`, 'fis.action', {
      experimentId: exp,
      action: name,
      actionId,
      status,
    });
  const alarm = (time: string, name: string, from: string, to: string) =>
    e(
      time,
      `alarm:${name}:${iso(time)}`,
      'alarm.state',
      { alarm: name, from, to, reason: 'r' },
      `${name}: ${from} → ${to}`,
    );
  const minutes: Record<string, number> = { '08:59': 0.04, '09:00': 16.7 };
  for (let m = 1; m <= 9; m++) minutes[`09:0${m}`] = 0.05;
  const events: TimelineEvent[] = [
    e('09:00:00', `fis:experiment:${exp}:pending`, 'fis.experiment', {
      experimentId: exp,
      status: 'pending',
    }),
    e('09:00:03', `fis:experiment:${exp}:running`, 'fis.experiment', {
      experimentId: exp,
      status: 'running',
    }),
    action('09:00:03', 'process-dies', 'aws:ssm:send-command', 'running'),
    action('09:00:03', 'process-dies', 'aws:ssm:send-command', 'completed'),
    action('09:00:03', 'watch', 'aws:fis:wait', 'running'),
    alarm('09:03:05', 'checkout-unhealthy-hosts', 'OK', 'ALARM'),
    action('09:08:03', 'watch', 'aws:fis:wait', 'completed'),
    e('09:08:03', `fis:experiment:${exp}:completed`, 'fis.experiment', {
      experimentId: exp,
      status: 'completed',
    }),
    ...Object.entries(minutes).map(([minute, errors]) =>
      e(`${minute}:00`, `metrics:${iso(`${minute}:00`)}`, 'metrics.sample', {
        ...sample(480, errors, 290, [2, 2, minute === '09:00' ? 2 : 1], 25),
      }),
    ),
  ];
  if (remediation) {
    const r = 'remediation:r1';
    events.push(
      e('09:03:05', `${r}:1:triage`, 'remediation.triage', {
        remediationId: 'r1',
        matched: true,
        runbook: 'unhealthy-hosts',
        subject: { kind: 'alarm', name: 'checkout-unhealthy-hosts', state: 'ALARM', at: iso('09:03:05') },
      }),
      e('09:03:05', `${r}:5:action:started`, 'remediation.action', {
        remediationId: 'r1',
        runbook: 'unhealthy-hosts',
        outcome: 'started',
        action: 'automation',
        executionId: 'x1',
      }),
      e('09:05:45', 'ssm:x1:Success', 'ssm.automation', {
        executionId: 'x1',
        document: 'Faultline-RestartUnhealthyTargets',
        status: 'Success',
      }),
      alarm('09:07:05', 'checkout-unhealthy-hosts', 'ALARM', 'OK'),
      e('09:07:20', `${r}:6:verify:verified`, 'remediation.verify', {
        remediationId: 'r1',
        runbook: 'unhealthy-hosts',
        verified: true,
        deadline: iso('09:13:05'),
        pending: [],
      }),
      e('09:10:00', 'recovery:recovered', 'gameday.recovery', {
        recovered: true,
        faultEndedAt: iso('09:00:03'),
        deadline: iso('09:10:03'),
      }),
    );
  } else {
    events.push(
      e('09:11:00', 'recovery:not-recovered', 'gameday.recovery', {
        recovered: false,
        faultEndedAt: iso('09:00:03'),
        deadline: iso('09:10:03'),
      }),
    );
  }
  return events;
}

export const NODES = ['checkout-sessions-001', 'checkout-sessions-002', 'checkout-sessions-003'];

/** az-outage's extra metrics: which cache node is the primary, and the payments tasks running. */
export const CACHE: ExtraMetric = {
  name: 'cache-primary',
  title: 'Session cache: IsMaster per node',
  unit: '1 = primary',
  namespace: 'AWS/ElastiCache',
  metric: 'IsMaster',
  dimensions: { CacheNodeId: '0001' },
  statistic: 'Maximum',
  series: { dimension: 'CacheClusterId', values: NODES },
};
export const TASKS: ExtraMetric = {
  name: 'payments-tasks',
  title: 'Payments tasks running',
  unit: 'tasks',
  namespace: 'ECS/ContainerInsights',
  metric: 'RunningTaskCount',
  dimensions: { ClusterName: 'checkout', ServiceName: 'checkout-payments' },
  statistic: 'Minimum',
};

/** az-outage's fixture timeline with the cache's failover and the lost tasks in its samples (`metrics.extra`). */
export function withExtraSamples(events: readonly TimelineEvent[]): TimelineEvent[] {
  return events.map((e) => {
    if (e.kind !== 'metrics.sample') return e;
    const failedOver = e.occurredAt >= iso('09:01:00');
    const extra = {
      'cache-primary': failedOver
        ? { 'checkout-sessions-002': 1, 'checkout-sessions-003': 0 }
        : { 'checkout-sessions-001': 1, 'checkout-sessions-002': 0, 'checkout-sessions-003': 0 },
      'payments-tasks': e.occurredAt === iso('09:02:00') ? 4 : 6,
      // Declared by a test, with no data.
      pending: null,
    };
    return { ...e, detail: { ...(e.detail as object), extra } };
  });
}
