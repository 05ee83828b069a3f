import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { reportJson } from '../../src/report/json.ts';
import type { RemediationRun } from '../../src/report/remediations.ts';
import { renderReport } from '../../src/report/render.ts';
import { renderTerminalTimeline } from '../../src/report/terminal.ts';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';
import { anyEv, azOutageIncident, azOutageTimeline, iso, ms } from './fixtures.ts';

/**
 * Remediations read off hand-built timelines, written as the remediation flow writes them
 * (src/remediation/*: ids `remediation:<id>:<step>:…`, the triage summary AttachIncident writes).
 */
const GD = 'gd-az-outage-1';
const INC = 'remediation-checkout-unhealthy-hosts-ALARM-20260106T100000000Z';

type Step = 'guard' | 'approval' | 'action' | 'ssm' | 'r53' | 'verify' | 'end';

interface Plan {
  id: string;
  runbook?: string;
  alarm?: string;
  /** Times (HH:MM:SS) of the steps; a step without a time is not on the timeline. */
  at: Partial<Record<'triage' | Step | 'requested' | 'answered' | 'ok', string>>;
  guard?: 'proceed' | 'kill-switch' | 'duplicate' | 'held-back';
  failover?: boolean;
  action?: 'started' | 'refused' | 'dry-run';
  approval?: { answer: 'given' | 'rejected' | 'timed-out' | 'none'; by?: string; text?: string };
  verified?: boolean;
  end?: 'resolved' | 'escalated' | 'failed';
}

/** One remediation's events on `incident`, as the flow and `faultline approve|reject` write them. */
function remediation(incident: string, p: Plan): TimelineEvent[] {
  const rb = p.runbook ?? 'unhealthy-hosts';
  const alarm = p.alarm ?? 'checkout-unhealthy-hosts';
  const base = { remediationId: p.id, runbook: rb };
  const id = (...parts: string[]) => ['remediation', p.id, ...parts].join(':');
  const token = `token-${p.id}`;
  const exec = `exec-${p.id}`;
  const change = `C${p.id.toUpperCase()}`;
  const e = anyEv.bind(null, incident);
  const out: TimelineEvent[] = [
    e(
      p.at.triage!,
      id('1', 'triage'),
      'remediation.triage',
      {
        ...base,
        matched: true,
        eventId: `evt-${p.id}`,
        resource: p.failover ? 'checkout.example.com.' : 'checkout-asg',
        action: p.failover
          ? { kind: 'failover', record: 'checkout.example.com.', primary: 'primary', secondary: 'secondary' }
          : { kind: 'automation', document: 'Faultline-ScaleOut', parameters: { Count: ['1'] } },
      },
      `alarm ${alarm} went to ALARM: runbook ${rb} (SSM Automation Faultline-ScaleOut on checkout-asg)`,
    ),
    e(p.at.triage!, id('2', 'attached'), 'remediation.attached', {
      ...base,
      incidentKind: incident === GD ? 'gameday' : 'remediation',
    }),
  ];
  if (p.at.guard) {
    const verdict = p.guard ?? 'proceed';
    out.push(
      e(p.at.guard, id('3', 'guard'), 'remediation.guard', {
        ...base,
        verdict,
        reason: verdict === 'proceed' ? 'within every limit' : `${verdict} reason`,
      }),
    );
  }
  if (p.at.requested) {
    out.push(
      e(p.at.requested, id('4', 'approval', 'requested', 'abc'), 'remediation.approval', {
        ...base,
        status: 'requested',
        taskToken: token,
      }),
      e(p.at.requested, `approval:requested:${p.id}`, 'approval.requested', {
        taskToken: token,
        runbook: rb,
        action: 'failover on checkout.example.com.',
        requestedAt: iso(p.at.requested),
        expiresAt: iso('11:15:00'),
      }),
    );
    const a = p.approval;
    if (a && p.at.answered && (a.answer === 'given' || a.answer === 'rejected')) {
      out.push(
        e(
          p.at.answered,
          `approval:answer:${p.id}`,
          a.answer === 'given' ? 'approval.given' : 'approval.rejected',
          {
            by: a.by ?? 'alice',
            runbook: rb,
            action: 'failover on checkout.example.com.',
            requestEventId: `approval:requested:${p.id}`,
            ...(a.text ? (a.answer === 'given' ? { note: a.text } : { reason: a.text }) : {}),
          },
        ),
      );
    }
    if (a && p.at.answered && (a.answer === 'rejected' || a.answer === 'timed-out')) {
      out.push(
        e(p.at.answered, id('4', 'approval', a.answer), 'remediation.approval', {
          ...base,
          status: a.answer,
          // As ApprovalDenied records it: the rejection's Cause, which faultline reject writes.
          reason:
            a.answer === 'timed-out'
              ? 'no answer before the approval timed out'
              : `rejected by ${a.by ?? 'alice'}${a.text ? `: ${a.text}` : ''}`,
        }),
      );
    }
  }
  if (p.at.action) {
    const outcome = p.action ?? 'started';
    out.push(
      e(p.at.action, id('5', 'action', outcome), 'remediation.action', {
        ...base,
        outcome,
        action: p.failover ? 'failover' : 'automation',
        ...(outcome === 'started' ? (p.failover ? { changeId: change } : { executionId: exec }) : {}),
        ...(outcome === 'started' ? {} : { reason: `${outcome} reason` }),
      }),
    );
  }
  if (p.at.ssm) {
    out.push(
      anyEv(incident, p.at.ssm, `ssm:${exec}:Success`, 'ssm.automation', {
        executionId: exec,
        document: 'Faultline-ScaleOut',
        status: 'Success',
        remediationId: p.id,
      }),
    );
  }
  if (p.at.r53) {
    out.push(
      anyEv(incident, p.at.r53, `route53:change:${change}:INSYNC`, 'route53.change', {
        changeId: change,
        status: 'INSYNC',
      }),
    );
  }
  if (p.at.ok) {
    out.push(
      anyEv(incident, p.at.ok, `alarm:${alarm}:${iso(p.at.ok)}`, 'alarm.state', {
        alarm,
        from: 'ALARM',
        to: 'OK',
        reason: 'recovered',
      }),
    );
  }
  if (p.at.verify) {
    const verified = p.verified ?? true;
    out.push(
      e(p.at.verify, id('6', 'verify', verified ? 'verified' : 'not-verified'), 'remediation.verify', {
        ...base,
        verified,
        deadline: iso('11:00:00'),
        pending: verified ? [] : [`alarm ${alarm} is ALARM`],
      }),
    );
  }
  if (p.at.end) {
    const end = p.end ?? 'resolved';
    if (end === 'resolved')
      out.push(e(p.at.end, id('7', 'resolved'), 'remediation.resolved', { ...base, closedIncident: false }));
    if (end === 'escalated')
      out.push(
        e(p.at.end, id('7', 'escalated'), 'remediation.escalated', { ...base, reason: 'not recovered' }),
      );
    if (end === 'failed')
      out.push(
        e(p.at.end, id('8', 'failed'), 'remediation.failed', {
          ...base,
          error: 'AutomationDefinitionNotFoundException',
          cause: 'Document Faultline-Nope does not exist.',
        }),
      );
  }
  return out;
}

/** An incident the remediation flow opened (AttachIncident), for `alarm` going to ALARM at `at`. */
function remediationIncident(overrides: Partial<Incident> = {}, at = '10:00:00'): Incident {
  return {
    incidentId: INC,
    kind: 'remediation',
    title: 'Remediation: alarm checkout-unhealthy-hosts went to ALARM (runbook unhealthy-hosts)',
    service: 'checkout',
    openedAt: iso('10:00:02'),
    status: 'open',
    attributes: {
      runbook: 'unhealthy-hosts',
      subject: {
        kind: 'alarm',
        name: 'checkout-unhealthy-hosts',
        state: 'ALARM',
        at: `2026-01-06T${at}.000+0000`,
        service: 'checkout',
        eventId: 'evt-r1',
      },
      resource: 'checkout-asg',
    },
    ...overrides,
  };
}

const runsOf = (incident: Incident, events: TimelineEvent[]) => analyse(incident, events).remediations;
const only = (incident: Incident, events: TimelineEvent[]): RemediationRun => {
  const runs = runsOf(incident, events).runs;
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

describe('remediations during a game day', () => {
  const events = [
    ...azOutageTimeline(),
    ...remediation(GD, {
      id: 'r1',
      at: {
        triage: '09:02:35',
        guard: '09:02:35',
        action: '09:02:36',
        ssm: '09:03:21',
        ok: '09:13:00',
        verify: '09:13:20',
        end: '09:13:20',
      },
    }),
  ];

  it('each show the alarm that triggered them, the SSM execution, the outcome and the durations', () => {
    const r = only(azOutageIncident(), events);
    expect(r.runbook).toBe('unhealthy-hosts');
    // The alarm's own transition (09:02:30 on the game day's timeline), not when triage saw it.
    expect(r.trigger).toEqual({
      kind: 'alarm',
      name: 'checkout-unhealthy-hosts',
      state: 'ALARM',
      at: ms('09:02:30'),
      eventId: 'evt-r1',
    });
    expect(r.action).toMatchObject({
      kind: 'automation',
      target: 'Faultline-ScaleOut',
      executionId: 'exec-r1',
      outcome: 'started',
      startedAt: ms('09:02:36'),
      endedAt: ms('09:03:21'),
      finalStatus: 'Success',
    });
    expect(r.guard).toMatchObject({ verdict: 'proceed', trial: false });
    expect(r.approval).toBeNull();
    expect(r.verification).toMatchObject({ verified: true, recoveredAt: ms('09:13:00') });
    expect(r.outcome).toBe('resolved');
    expect(r.durations).toEqual({
      triggerToActionSeconds: 6,
      actionSeconds: 45,
      actionToRecoveredSeconds: 624,
      totalSeconds: 650,
    });
  });

  it('are in the markdown, the HTML, the terminal view and the JSON (which validates)', () => {
    const out = renderReport(azOutageIncident(), events);
    expect(out.markdown).toContain('### Remediations');
    expect(out.markdown).toContain(
      '| unhealthy-hosts<br>r1 | alarm checkout-unhealthy-hosts → ALARM at 09:02:30 | passed | not required | SSM Automation Faultline-ScaleOut at 09:02:36<br>execution exec-r1<br>Success at 09:03:21 | resolved at 09:13:20 |',
    );
    expect(out.markdown).toContain('| unhealthy-hosts | 6 s | 45 s | 10 min 24 s | 10 min 50 s |');
    expect(out.html).toContain('exec-r1');
    const json = reportJson.parse(JSON.parse(out.json));
    expect(json.remediations).toHaveLength(1);
    expect(json.remediations[0]).toMatchObject({
      outcome: 'resolved',
      trigger: { name: 'checkout-unhealthy-hosts', at: iso('09:02:30') },
      action: { executionId: 'exec-r1', endedAt: iso('09:03:21') },
      durations: { triggerToActionSeconds: 6 },
    });
    const terminal = renderTerminalTimeline(azOutageIncident(), events).join('\n');
    expect(terminal).toContain(
      'Remediation unhealthy-hosts, on alarm checkout-unhealthy-hosts → ALARM at 09:02:30: SSM Automation Faultline-ScaleOut started 6 s later; resolved at 09:13:20 (total 10 min 50 s)',
    );
  });

  it('mark when the first one acted and was verified, and the action counts as the response', () => {
    const withoutNote = events.filter((e) => e.kind !== 'note');
    const a = analyse(azOutageIncident(), withoutNote);
    const at = (name: string) => a.moments.find((m) => m.name === name)!.at;
    expect(at('remediationActed')).toBe(ms('09:02:36'));
    expect(at('remediationVerified')).toBe(ms('09:13:20'));
    expect(at('responded')).toBe(ms('09:02:36'));
    expect(a.orderProblems).toEqual([]);
  });

  it('give the same result whatever the order and duplication of the events', () => {
    const shuffled = [...events].reverse();
    const twice = [...events, ...events.slice(0, 40)];
    const json = (list: TimelineEvent[]) =>
      JSON.parse(renderReport(azOutageIncident(), list).json).remediations;
    expect(json(shuffled)).toEqual(json(events));
    expect(json(twice)).toEqual(json(events));
  });

  it('are not mentioned when none ran', () => {
    const out = renderReport(azOutageIncident(), azOutageTimeline());
    expect(out.markdown).not.toContain('### Remediations');
    expect(JSON.parse(out.json).remediations).toEqual([]);
  });
});

describe('each outcome', () => {
  const inc = remediationIncident();
  const start = { triage: '10:00:05', guard: '10:00:05' };

  it('escalated: the action ran and verification failed', () => {
    const r = only(
      inc,
      remediation(INC, {
        id: 'r1',
        at: { ...start, action: '10:00:05', ssm: '10:00:35', verify: '10:05:05', end: '10:05:05' },
        verified: false,
        end: 'escalated',
      }),
    );
    expect(r.outcome).toBe('escalated');
    expect(r.reason).toBe('not recovered');
    expect(r.verification).toMatchObject({ verified: false, recoveredAt: null });
    expect(r.durations).toMatchObject({
      actionSeconds: 30,
      actionToRecoveredSeconds: null,
      totalSeconds: 305,
    });
  });

  it('failed: a step failed, with its error', () => {
    const r = only(inc, remediation(INC, { id: 'r1', at: { ...start, end: '10:00:06' }, end: 'failed' }));
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('AutomationDefinitionNotFoundException: Document Faultline-Nope does not exist.');
    expect(r.action.outcome).toBeNull();
  });

  it('dry run: what it would have done, nothing started', () => {
    const r = only(
      inc,
      remediation(INC, { id: 'r1', at: { ...start, action: '10:00:05' }, action: 'dry-run' }),
    );
    expect(r.outcome).toBe('dry-run');
    expect(r.action).toMatchObject({ outcome: 'dry-run', startedAt: null, reason: 'dry-run reason' });
    expect(r.durations.triggerToActionSeconds).toBeNull();
  });

  it.each([
    ['kill-switch', 'kill switch: kill-switch reason'],
    ['held-back', 'held-back: held-back reason'],
  ] as const)('held back by the guard (%s), nothing started', (verdict, shown) => {
    const events = remediation(INC, { id: 'r1', at: start, guard: verdict });
    const r = only(inc, events);
    expect(r.outcome).toBe('held-back');
    expect(r.guard).toMatchObject({ verdict, reason: `${verdict} reason` });
    expect(renderReport(inc, events).markdown).toContain(
      `| ${shown} | not required | SSM Automation Faultline-ScaleOut: not started | held back (nothing done) at 10:00:05 |`,
    );
  });

  it('held back at the last moment: the kill switch refused the action after the guard', () => {
    const r = only(
      inc,
      remediation(INC, { id: 'r1', at: { ...start, action: '10:00:06' }, action: 'refused' }),
    );
    expect(r.outcome).toBe('held-back');
    expect(r.reason).toBe('refused reason');
    expect(r.outcomeAt).toBe(ms('10:00:06'));
  });

  it('duplicates are counted, not listed', () => {
    const events = [
      ...remediation(INC, {
        id: 'r1',
        at: { ...start, action: '10:00:05', ssm: '10:00:50', verify: '10:02:05', end: '10:02:05' },
      }),
      ...remediation(INC, { id: 'r2', at: start, guard: 'duplicate' }),
      ...remediation(INC, { id: 'r3', at: start, guard: 'duplicate' }),
    ];
    const { runs, counts } = runsOf(inc, events);
    expect(runs.map((r) => r.outcome).sort()).toEqual(['duplicate', 'duplicate', 'resolved']);
    expect(counts).toEqual({ duplicates: 2, notMatched: 0, acted: 1 });
    const md = renderReport(inc, events).markdown;
    expect(md).toContain('1 remediation(s) on this incident; 2 duplicate deliveries stopped at the guard');
    expect(md).not.toContain('<br>r2 |');
  });

  it('not matched: an event no runbook was for, on the dropped-events timeline', () => {
    const dropped: Incident = {
      incidentId: 'remediation-dropped-2026-01-06',
      kind: 'remediation',
      title: 'Events no remediation acted on, 2026-01-06',
      service: 'unknown',
      openedAt: iso('10:00:00'),
      status: 'refused',
      attributes: {},
    };
    const events = ['d1', 'd2'].map((id) =>
      anyEv(dropped.incidentId, '10:00:00', `remediation:${id}:1:triage`, 'remediation.triage', {
        remediationId: id,
        matched: false,
        reason: "no runbook for alarm 'checkout-availability-critical'",
      }),
    );
    const { runs, counts } = runsOf(dropped, events);
    expect(runs.map((r) => [r.outcome, r.reason])).toEqual([
      ['not-matched', "no runbook for alarm 'checkout-availability-critical'"],
      ['not-matched', "no runbook for alarm 'checkout-availability-critical'"],
    ]);
    expect(counts.notMatched).toBe(2);
    expect(renderReport(dropped, events).markdown).toContain(
      "- 2 × no runbook for alarm 'checkout-availability-critical'",
    );
  });

  it('in progress: a remediation whose action is still running says so', () => {
    const r = only(inc, remediation(INC, { id: 'r1', at: { ...start, action: '10:00:05' } }));
    expect(r.outcome).toBe('in-progress');
    expect(r.reason).toBe('action running');
    expect(r.durations.totalSeconds).toBeNull();
  });
});

describe('approvals', () => {
  const inc = remediationIncident();
  const start = { triage: '10:00:05', guard: '10:00:05', requested: '10:00:06' };

  it('approved with faultline approve: who, when, how long the remediation waited', () => {
    const r = only(
      inc,
      remediation(INC, {
        id: 'r1',
        failover: true,
        at: {
          ...start,
          answered: '10:04:06',
          action: '10:04:07',
          r53: '10:04:52',
          verify: '10:05:07',
          end: '10:05:07',
        },
        approval: { answer: 'given', by: 'alice', text: 'go' },
      }),
    );
    expect(r.approval).toEqual({
      requestedAt: ms('10:00:06'),
      expiresAt: ms('11:15:00'),
      answer: 'approved',
      answeredAt: ms('10:04:06'),
      by: 'alice',
      text: 'go',
      waitedSeconds: 240,
    });
    expect(r.action).toMatchObject({
      kind: 'failover',
      changeId: 'CR1',
      finalStatus: 'INSYNC',
      endedAt: ms('10:04:52'),
    });
    expect(r.outcome).toBe('resolved');
    expect(r.durations.triggerToActionSeconds).toBe(247);
  });

  it('approved another way (no answer event): the action starting says it was', () => {
    const r = only(inc, remediation(INC, { id: 'r1', failover: true, at: { ...start, action: '10:02:06' } }));
    expect(r.approval).toMatchObject({
      answer: 'approved',
      by: null,
      answeredAt: ms('10:02:06'),
      waitedSeconds: 120,
    });
  });

  it('rejected with faultline reject: by whom and why, nothing done', () => {
    const events = remediation(INC, {
      id: 'r1',
      failover: true,
      at: { ...start, answered: '10:01:06' },
      approval: { answer: 'rejected', by: 'bob', text: 'not during the sale' },
    });
    const r = only(inc, events);
    expect(r.outcome).toBe('rejected');
    expect(r.approval).toMatchObject({
      answer: 'rejected',
      by: 'bob',
      text: 'not during the sale',
      waitedSeconds: 60,
    });
    expect(renderReport(inc, events).markdown).toContain(
      'requested at 10:00:06<br>rejected by bob at 10:01:06 (waited 1 min): not during the sale',
    );
  });

  it('timed out: no answer is a rejection, and how long it waited', () => {
    const r = only(
      inc,
      remediation(INC, {
        id: 'r1',
        failover: true,
        at: { ...start, answered: '10:15:06' },
        approval: { answer: 'timed-out' },
      }),
    );
    expect(r.outcome).toBe('rejected');
    expect(r.approval).toMatchObject({ answer: 'timed-out', by: null, waitedSeconds: 900 });
  });

  it('pending: still waiting when the report was rendered', () => {
    const r = only(inc, remediation(INC, { id: 'r1', failover: true, at: start }));
    expect(r.outcome).toBe('in-progress');
    expect(r.reason).toBe('waiting for approval');
    expect(r.approval?.answer).toBe('pending');
  });
});

describe('the report of an incident that is only a remediation', () => {
  const inc = remediationIncident({ status: 'resolved', closedAt: iso('10:02:20') });
  const events = remediation(INC, {
    id: 'r1',
    at: {
      triage: '10:00:05',
      guard: '10:00:05',
      action: '10:00:05',
      ssm: '10:00:50',
      verify: '10:02:20',
      end: '10:02:20',
    },
  });

  it('takes its impact and detection from the transition it was opened for, and recovery from the verification', () => {
    const a = analyse(inc, events);
    const at = (name: string) => a.moments.find((m) => m.name === name)!.at;
    expect(at('impactStarted')).toBe(ms('10:00:00'));
    expect(at('detected')).toBe(ms('10:00:00'));
    expect(at('responded')).toBe(ms('10:00:05'));
    expect(at('mitigated')).toBe(ms('10:00:50'));
    expect(at('recovered')).toBe(ms('10:02:20'));
    expect(a.durations.map((d) => d.seconds)).toEqual([0, 5, 50, 140, 140]);
    expect(a.orderProblems).toEqual([]);
    expect(only(inc, events).trigger.at).toBe(ms('10:00:00'));
  });

  it('reads well: no table of dashes for objectives or metrics, the remediation in the summary', () => {
    const md = renderReport(inc, events).markdown;
    expect(md).toContain(
      'unhealthy-hosts, on alarm checkout-unhealthy-hosts → ALARM at 10:00:00: SSM Automation Faultline-ScaleOut started 5 s later; resolved at 10:02:20 (total 2 min 20 s)',
    );
    expect(md).toContain('No objectives were set for this incident');
    expect(md).not.toContain('| Objective |');
    expect(md).toContain('| Time | Events |');
    expect(md).not.toContain('| Req/s |');
    expect(md).toContain('| Time to recover (TTR) | 2 min 20 s |');
  });

  it('does not believe a stated transition later than the triage that saw it', () => {
    const later = remediationIncident({}, '10:07:00');
    const a = analyse(later, events);
    expect(a.moments.find((m) => m.name === 'impactStarted')!.at).toBeNull();
    expect(only(later, events).trigger.at).toBe(ms('10:00:05'));
  });
});
