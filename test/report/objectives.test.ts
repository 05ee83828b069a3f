import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { renderReport } from '../../src/report/render.ts';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';
import {
  AZ_OUTAGE_ATTRIBUTES,
  AZ_OUTAGE_TRUTH,
  anyEv,
  azOutageIncident,
  azOutageTimeline,
  ev,
  iso,
  ms,
} from './fixtures.ts';

const ID = 'gd-az-outage-1';
const withRecovery = (detail: Record<string, unknown>): TimelineEvent[] =>
  azOutageTimeline().map((e) =>
    e.kind === 'gameday.recovery' ? { ...e, detail: { ...e.detail, ...detail } } : e,
  );

/** The timeline with the last steady-state alarm back to OK at `time` instead of 09:13:00, and the check after it. */
const backAt = (time: string): TimelineEvent[] =>
  azOutageTimeline().flatMap((e) => {
    if (e.eventId === `alarm:checkout-unhealthy-hosts:${iso('09:13:00')}`)
      return [{ ...e, eventId: `alarm:checkout-unhealthy-hosts:${iso(time)}`, occurredAt: iso(time) }];
    if (e.kind === 'gameday.recovery') return [{ ...e, occurredAt: iso(time).replace(/\.000Z$/, '.500Z') }];
    return [e];
  });

describe('RTO', () => {
  it('is fault end → steady state back, both from the events that show them, against the objective', () => {
    const { rto } = analyse(azOutageIncident(), azOutageTimeline()).objectives;
    expect(rto).toMatchObject({
      objectiveSeconds: 900,
      achievedSeconds: (ms(AZ_OUTAGE_TRUTH.recovered) - ms(AZ_OUTAGE_TRUTH.faultEnded)) / 1000,
      met: true,
      // The last action that acts on something ended at 09:10:10 (the experiment at 09:10:12); the
      // last alarm was OK at 09:13:00 (the recovery check saw it at 09:13:31).
      faultEndedAt: ms('09:10:10'),
      recoveredAt: ms('09:13:00'),
    });
    expect(rto.achievedSeconds).toBe(170);
  });

  it('starts at the fault, not at a wait that keeps the experiment open after it', () => {
    const events = [
      ...azOutageTimeline().map((e) =>
        e.eventId === 'fis:experiment:EXP4z9kPq2:completed' ? { ...e, occurredAt: iso('09:20:12') } : e,
      ),
      ...[
        ['09:00:10', 'running'],
        ['09:20:10', 'completed'],
      ].map(([time, status]) =>
        anyEv(ID, time!, `fis:action:EXP4z9kPq2:watch:${status}`, 'fis.action', {
          experimentId: 'EXP4z9kPq2',
          action: 'watch',
          actionId: 'aws:fis:wait',
          status: status!,
        }),
      ),
    ];
    const { rto } = analyse(azOutageIncident({ closedAt: iso('09:21:00') }), events).objectives;
    expect(rto).toMatchObject({
      faultEndedAt: ms('09:10:10'),
      recoveredAt: ms('09:13:00'),
      achievedSeconds: 170,
    });
  });

  it('is zero when the steady state was back before the fault ended (the service rode it out)', () => {
    const { rto } = analyse(azOutageIncident(), backAt('09:08:00')).objectives;
    expect(rto).toMatchObject({ achievedSeconds: 0, met: true, note: 'back before the fault ended' });
  });

  it('is missed when recovery comes after the objective', () => {
    const incident = azOutageIncident({ closedAt: iso('10:00:00') });
    const { rto } = analyse(incident, backAt('09:40:12')).objectives;
    expect(rto).toMatchObject({ recoveredAt: ms('09:40:12'), achievedSeconds: 1802, met: false });
  });

  it('is missed, with no achieved value, when the verification gave up', () => {
    const { rto } = analyse(azOutageIncident(), withRecovery({ recovered: false })).objectives;
    expect(rto).toMatchObject({
      achievedSeconds: null,
      met: false,
      note: 'the steady state was not back by the recovery deadline',
    });
  });

  it('is not determined when the fault never ended', () => {
    const events = azOutageTimeline().filter(
      (e) =>
        ![
          'fis:experiment:EXP4z9kPq2:completed',
          'fis:action:EXP4z9kPq2:power-off-instances:completed',
        ].includes(e.eventId) && e.kind !== 'gameday.recovery',
    );
    const a = analyse(azOutageIncident(), events);
    expect(a.objectives.rto).toMatchObject({
      achievedSeconds: null,
      met: null,
      note: 'the fault end was not recorded',
    });
    expect(a.automation.faultStopped).toBe(false);
  });

  it('is not measured in a dry run: nothing was injected', () => {
    const incident = azOutageIncident({
      attributes: { ...AZ_OUTAGE_ATTRIBUTES, dryRun: true },
    });
    const events = azOutageTimeline().filter(
      (e) => !(e.kind === 'fis.action' && e.detail.status === 'running') && !e.eventId.endsWith(':running'),
    );
    const a = analyse(incident, events);
    expect(a.objectives.rto).toMatchObject({
      achievedSeconds: null,
      met: null,
      faultEndedAt: null,
      recoveredAt: null,
      note: 'a dry run injects nothing',
    });
  });
});

describe('RPO', () => {
  it('is the replica lag sampled in the last minute before the database failover, not the lag the failover causes', () => {
    const { rpo } = analyse(azOutageIncident(), azOutageTimeline()).objectives;
    expect(rpo).toMatchObject({
      objectiveSeconds: 60,
      // 08:59's sample: the failover at 09:00:10 spiked the lag to 6,400 ms afterwards (09:01).
      achievedSeconds: AZ_OUTAGE_TRUTH.samples['08:59']!.replicaLagMs! / 1000,
      met: true,
      failoverAt: ms('09:00:10'),
      failoverEventId: 'fis:action:EXP4z9kPq2:failover-database:running',
    });
    expect(rpo.definition).toMatch(
      /^The replica lag sampled in the last minute that ended before the failover/,
    );
  });

  it("falls back to the failover's own minute when no minute before it was sampled", () => {
    const events = azOutageTimeline().filter(
      (e) => e.kind !== 'metrics.sample' || e.occurredAt >= iso('09:00:00'),
    );
    expect(analyse(azOutageIncident(), events).objectives.rpo.achievedSeconds).toBe(
      AZ_OUTAGE_TRUTH.samples['09:00']!.replicaLagMs! / 1000,
    );
    const none = azOutageTimeline().filter((e) => e.kind !== 'metrics.sample');
    expect(analyse(azOutageIncident(), none).objectives.rpo).toMatchObject({
      achievedSeconds: null,
      met: null,
      note: 'no replica lag sampled before the failover',
    });
  });

  it('is not applicable without a failover', () => {
    const events = azOutageTimeline().filter((e) => !e.eventId.includes('failover-database'));
    expect(analyse(azOutageIncident(), events).objectives.rpo).toMatchObject({
      achievedSeconds: null,
      met: null,
      note: 'no failover recorded',
    });
  });
});

/**
 * A regional drill: the primary region lost at 09:00:03, the failover approved at 09:02:35 and run
 * by an SSM Automation that promotes the standby's database and moves DNS, customers served again
 * at 09:08:05 while the region stays lost until 09:20:03.
 */
function regionDrill(opts: { failover?: 'automation' | 'dns' | 'none'; recovered?: string | null } = {}) {
  const { incident, events } = regionDrillTimeline(opts);
  return analyse(incident, events).objectives;
}

function regionDrillTimeline(
  opts: { failover?: 'automation' | 'dns' | 'none'; recovered?: string | null } = {},
): { incident: Incident; events: TimelineEvent[] } {
  const id = 'gd-region-1';
  const incident = azOutageIncident({
    incidentId: id,
    attributes: {
      experiment: {
        name: 'region-outage',
        objectives: { rto: 'PT15M', rtoFrom: 'impact', rpo: 'PT1S', sloWindow: 'P30D' },
        hypothesis: { alarms: ['checkout-5xx-rate'], healthChecks: [], metrics: [] },
      },
    },
  });
  const lag = { '08:59': 250, '09:00': 268, '09:01': 268, '09:02': 268, '09:03': 268 } as Record<
    string,
    number
  >;
  const events: TimelineEvent[] = [
    ev(id, '09:00:03', 'fis:action:EXP1:isolate-region:running', 'fis.action', {
      experimentId: 'EXP1',
      action: 'isolate-region',
      actionId: 'aws:network:disrupt-connectivity',
      status: 'running',
    }),
    ev(id, '09:02:05', 'alarm:checkout-5xx-rate:1', 'alarm.state', {
      alarm: 'checkout-5xx-rate',
      from: 'OK',
      to: 'ALARM',
      reason: 'Threshold crossed',
    }),
    ...Object.entries(lag).map(([minute, replicaLagMs]) =>
      ev(id, `${minute}:00`, `metrics:${minute}`, 'metrics.sample', {
        requestRate: 480,
        errorRatePercent: minute < '09:01' ? 0.05 : 100,
        p99LatencyMs: 280,
        healthyHostsByAz: {},
        replicaLagMs,
      }),
    ),
    ev(id, '09:20:03', 'fis:experiment:EXP1:completed', 'fis.experiment', {
      experimentId: 'EXP1',
      status: 'completed',
    }),
  ];
  if (opts.failover === 'automation' || opts.failover === undefined) {
    events.push(
      anyEv(id, '09:02:35', 'remediation:r1:5:action:started', 'remediation.action', {
        remediationId: 'r1',
        runbook: 'primary-region-failover',
        outcome: 'started',
        action: 'automation',
        executionId: 'exec-1',
      }),
      ev(id, '09:02:50', 'ssm:exec-1:InProgress', 'ssm.automation', {
        executionId: 'exec-1',
        document: 'Faultline-RegionFailover',
        status: 'InProgress',
      }),
      ev(id, '09:05:20', 'ssm:exec-1:Success', 'ssm.automation', {
        executionId: 'exec-1',
        document: 'Faultline-RegionFailover',
        status: 'Success',
      }),
    );
  } else if (opts.failover === 'dns') {
    events.push(
      anyEv(id, '09:03:40', 'remediation:r1:5:action:started', 'remediation.action', {
        remediationId: 'r1',
        runbook: 'dns-only',
        outcome: 'started',
        action: 'failover',
        changeId: 'C1',
      }),
    );
  }
  const recovered = opts.recovered === undefined ? '09:08:05' : opts.recovered;
  if (recovered !== null) {
    events.push(
      ev(id, recovered, 'alarm:checkout-5xx-rate:2', 'alarm.state', {
        alarm: 'checkout-5xx-rate',
        from: 'ALARM',
        to: 'OK',
        reason: 'Threshold crossed',
      }),
    );
  }
  events.push(
    ev(id, '09:21:00', 'recovery:done', 'gameday.recovery', {
      recovered: recovered !== null,
      faultEndedAt: iso('09:20:03'),
      ...(recovered !== null ? { recoveredAt: iso(recovered) } : {}),
      deadline: iso('09:15:03'),
    }),
  );
  return { incident, events };
}

describe('RPO of a regional failover', () => {
  it("is the standby's lag before an SSM Automation that fails over, dated by the action that started it", () => {
    expect(regionDrill().rpo).toMatchObject({
      objectiveSeconds: 1,
      // 09:01, the last minute that ended before 09:02:35.
      achievedSeconds: 0.268,
      met: true,
      failoverAt: ms('09:02:35'),
      failoverEventId: 'remediation:r1:5:action:started',
    });
  });

  it('is measured for a DNS failover too', () => {
    expect(regionDrill({ failover: 'dns' }).rpo).toMatchObject({
      achievedSeconds: 0.268,
      failoverAt: ms('09:03:40'),
      failoverEventId: 'remediation:r1:5:action:started',
    });
  });

  it('is not applicable when nobody failed over', () => {
    expect(regionDrill({ failover: 'none', recovered: null }).rpo).toMatchObject({
      achievedSeconds: null,
      met: null,
      failoverAt: null,
      note: 'no failover recorded',
    });
  });
});

describe('RTO from the impact', () => {
  it('runs from the impact to the steady state back, even while the fault lasts', () => {
    const { rto } = regionDrill();
    expect(rto).toMatchObject({
      objectiveSeconds: 900,
      achievedSeconds: (ms('09:08:05') - ms('09:00:03')) / 1000,
      met: true,
      recoveredAt: ms('09:08:05'),
      note: null,
    });
    expect(rto.definition).toMatch(/^Impact started → steady state back \(recovered\)/);
    const { incident, events } = regionDrillTimeline();
    expect(renderReport(incident, events).markdown).toContain(
      'RTO met: steady state back 8 min 2 s after the impact started (objective 15 min).',
    );
  });

  it('is missed when the steady state came back only with the region, after the objective', () => {
    expect(regionDrill({ failover: 'none', recovered: '09:22:00' }).rto).toMatchObject({
      achievedSeconds: (ms('09:22:00') - ms('09:00:03')) / 1000,
      met: false,
    });
  });

  it('is missed, with no achieved value, when it never came back by the deadline', () => {
    expect(regionDrill({ failover: 'none', recovered: null }).rto).toMatchObject({
      achievedSeconds: null,
      met: false,
      note: 'the steady state was not back by the recovery deadline',
    });
  });
});

describe('error budget', () => {
  it('is errors during the incident over the errors the SLO allows in its window', () => {
    const { errorBudget } = analyse(azOutageIncident(), azOutageTimeline()).objectives;
    // Independent arithmetic from the fixture's samples: minutes 09:00 to 09:13 (impact → recovered).
    let errors = 0;
    for (const [minute, s] of Object.entries(AZ_OUTAGE_TRUTH.samples)) {
      if (minute >= '09:00' && minute <= '09:13') errors += s.requestRate! * (s.errorRatePercent! / 100) * 60;
    }
    const baseline = 480; // median of 480, 482, 479 (the samples before impact)
    const allowed = (1 - 0.999) * baseline * 30 * 86_400;
    expect(errorBudget.baselineRequestRate).toBe(baseline);
    expect(errorBudget.baselineSource).toBe('samples before impact');
    expect(errorBudget.errorsDuringIncident).toBeCloseTo(errors, 6);
    expect(errorBudget.allowedErrors).toBeCloseTo(allowed, 6);
    expect(errorBudget.spentPercent).toBeCloseTo((errors / allowed) * 100, 6);
    expect(errorBudget.formula).toContain('(1 − SLO ÷ 100) × baseline requestRate × SLO window');
  });

  it('takes the baseline from the attributes when given, and says so', () => {
    const incident = azOutageIncident({
      attributes: { ...azOutageIncident().attributes, baselineRequestRate: 1000 },
    });
    const { errorBudget } = analyse(incident, azOutageTimeline()).objectives;
    expect(errorBudget).toMatchObject({ baselineRequestRate: 1000, baselineSource: 'attributes' });
  });
});

describe('what the automation cost', () => {
  it('prices FIS action-minutes, Step Functions transitions and Lambda time, stating the prices', () => {
    const a = analyse(azOutageIncident(), azOutageTimeline());
    const line = (item: string) => a.cost.lines.find((l) => l.item === item)!;
    expect(line('FIS actions').quantity).toBeCloseTo(AZ_OUTAGE_TRUTH.actionMinutes, 5);
    expect(line('FIS actions').dollars).toBeCloseTo(AZ_OUTAGE_TRUTH.actionMinutes * 0.1, 5);
    // 4 setup steps + 10 Observe (one of them retried: 11 invocations) + 3 VerifyRecovery + RenderReport.
    expect(line('Step Functions').quantity).toBe(19);
    expect(line('Step Functions').dollars).toBeCloseTo(19 * 0.000025, 12);
    expect(a.automation.steps.find((x) => x.step === 'Observe')).toMatchObject({
      invocations: 11,
      failed: 1,
    });
    // Measured: 180 + 420 + 300 + 250 + 5 × 900 ms; the 10 others at 128 ms; 256 MB.
    const ms = 180 + 420 + 300 + 250 + 5 * 900 + 10 * 128;
    expect(line('Lambda compute').quantity).toBeCloseTo((ms / 1000) * 0.25, 9);
    expect(a.cost.totalDollars).toBeCloseTo(
      a.cost.lines.reduce((s, l) => s + l.dollars, 0),
      12,
    );
    const { markdown } = renderReport(azOutageIncident(), azOutageTimeline());
    expect(markdown).toContain('FIS $0.10 per action-minute');
    expect(markdown).toContain('$0.000025 per state transition');
    expect(markdown).toContain('| FIS actions | 21.333 action-minutes | $0.10 | $2.13 |');
  });

  it('counts an action still running at the end up to the last event, and says so', () => {
    const events = [
      ev(ID, '09:00:00', 'fis:action:E:a:running', 'fis.action', {
        experimentId: 'E',
        action: 'a',
        actionId: 'aws:ec2:stop-instances',
        status: 'running',
      }),
      ev(ID, '09:05:00', 'note:1', 'note', { author: 'a', text: 'still on' }),
    ];
    const a = analyse(azOutageIncident(), events);
    expect(a.automation.actions[0]).toMatchObject({ runningMinutes: 5, ongoing: true });
    expect(a.cost.lines[0]!.dollars).toBeCloseTo(0.5, 9);
  });

  it('lets the caller override prices', () => {
    const a = analyse(azOutageIncident(), azOutageTimeline(), { prices: { fisActionMinute: 1 } });
    expect(a.cost.lines[0]!.dollars).toBeCloseTo(AZ_OUTAGE_TRUTH.actionMinutes, 5);
  });
});
