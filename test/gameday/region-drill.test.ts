import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { type GameDaySummary, runGameDay } from '../../cli/actions/gameday.ts';
import { defaultAuthor } from '../../cli/author.ts';
import { approveCommand } from '../../cli/commands/approval.ts';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { standbyDimensions } from '../../sandbox/world/minute-metrics.ts';
import { client } from '../../src/aws/clients.ts';
import { loadExperimentFile } from '../../src/experiments/load.ts';

/**
 * The regional failover drill (experiments/region-outage.yaml) as `faultline gameday` runs it in
 * this process, with the approval answered through `faultline approve` as a person would, at the
 * game day's own terminal when it asks, or not at all. Only the approved runbook brings the standby into service: nothing in the world
 * fails over by itself.
 */
const quiet = { out: () => {}, err: () => {} };
let stack: LocalStack | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** `reject-here`: at the game day's own terminal, when it asks (cli/approval-desk.ts). */
type Answer = 'approve' | 'reject-here' | 'none';

interface Report {
  objectives: {
    rto: { met: boolean | null; achievedSeconds: number | null; definition: string; note: string | null };
    rpo: {
      achievedSeconds: number | null;
      met: boolean | null;
      failoverAt: string | null;
      failoverEventId: string | null;
      definition: string;
      note: string | null;
    };
  };
  events: { kind: string; occurredAt: string; detail: Record<string, unknown> }[];
  keyMoments: { name: string; at: string | null }[];
  remediations: {
    runbook: string | null;
    outcome: string;
    approval: { answer: string; by: string | null } | null;
  }[];
}

async function drill(answer: Answer) {
  const out = await mkdtemp(join(tmpdir(), 'faultline-region-drill-'));
  dirs.push(out);
  const experiment = await loadExperimentFile(join(PROJECT_DIR, 'experiments', 'region-outage.yaml'));
  stack = await startLocal({ seed: 1, start: DEFAULT_EPOCH, time: 'fast' });
  const s = stack;
  const answers: string[] = [];
  let answering: Promise<void> | undefined;
  if (answer === 'approve') {
    const off = s.sandbox.core.bus.subscribe((e) => {
      const text = JSON.stringify(e.detail);
      const asked = e['detail-type'] === 'SNS Message Published' && /needs approval/.test(text);
      const incident = asked ? /faultline approve\|reject (\S+?)\./.exec(text)?.[1] : undefined;
      if (!incident) return;
      off();
      // The on-call reads the page and answers half a minute later (virtual time: the clock is this process's).
      const io = { out: (l: string) => answers.push(l), err: (l: string) => answers.push(l) };
      const args = [incident, '--endpoint', s.endpoint, '--author', 'on-call', '--note', 'drill: go'];
      answering = new Promise((r) => setTimeout(r, 30_000)).then(() =>
        approveCommand(io)
          .parseAsync(args, { from: 'user' })
          .then(() => {}),
      );
    });
  }
  const here = answer === 'reject-here' ? terminal(s) : undefined;
  const summary = await runGameDay(
    experiment,
    { dryRun: false, out, json: here === undefined, stage: 'dev' },
    s,
    here?.io ?? quiet,
    here?.questions,
  );
  await answering;
  const report = JSON.parse(await readFile(summary.reports!.json, 'utf8')) as Report;
  const markdown = await readFile(summary.reports!.markdown, 'utf8');
  if (process.env.DRILL_PRINT) console.log(markdown);
  return { summary, report, markdown, answers, world: s.sandbox.world, here };
}

/**
 * The game day's terminal with a person at it who takes a (virtual) minute to read the request,
 * then rejects it with a reason; records what it printed, what it asked and the paces it set.
 */
function terminal(s: LocalStack) {
  const printed: string[] = [];
  const asked: string[] = [];
  const paces: (number | undefined)[] = [];
  const setPace = s.setPace;
  s.setPace = (pace) => {
    paces.push(typeof pace === 'number' ? pace : undefined);
    setPace(pace);
  };
  const replies = ['maybe', 'r', '', 'not during the sale'];
  let realWait = 0;
  const questions = {
    print: (line: string, out: (line: string) => void) => out(line),
    ask: async (question: string) => {
      asked.push(question);
      if (asked.length === 1) {
        // The clock plays real time while a person is asked: a virtual second takes a real one.
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, 1000));
        realWait = performance.now() - t0;
      }
      return replies.shift()!;
    },
  };
  const io = { out: (l: string) => printed.push(l), err: (l: string) => printed.push(l) };
  return { io, questions, printed, asked, paces, realWait: () => realWait };
}

/** The 5xx rate of each sampled minute from `from` to `to` (HH:MM, inclusive). */
function errorRates(report: Report, from: string, to: string): number[] {
  const rates = report.events
    .filter((e) => e.kind === 'metrics.sample')
    .filter((e) => e.occurredAt.slice(11, 16) >= from && e.occurredAt.slice(11, 16) <= to)
    .map((e) => e.detail.errorRatePercent as number);
  expect(rates.length, `minutes sampled from ${from} to ${to}`).toBe(minutesBetween(from, to));
  return rates;
}

const minutesBetween = (from: string, to: string) => {
  const m = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return m(to) - m(from) + 1;
};

/** Requests per minute the standby's load balancer served, minute by minute. */
async function standbyRequests(from: Date, to: Date): Promise<number[]> {
  const dims = standbyDimensions(stack!.sandbox.world.def)!;
  const out = await client('cloudwatch').send(
    new GetMetricDataCommand({
      StartTime: from,
      EndTime: to,
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'requests',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'RequestCount',
              Dimensions: [{ Name: 'LoadBalancer', Value: dims.LoadBalancer }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return out.MetricDataResults?.[0]?.Values ?? [];
}

const rto = (s: GameDaySummary) => (s.verdict as { rto: { met: boolean | null } }).rto;

describe('the regional failover drill', () => {
  it('approved: the standby is promoted and serves, the RTO is met and the RPO measured', async () => {
    const { summary, report, answers, world } = await drill('approve');
    expect(answers.join('\n')).toMatch(/^Approved Faultline-RegionFailover on checkout\.example\.com\. /);
    expect(summary.status).toBe('completed');
    expect(summary.remediations).toContainEqual(
      expect.objectContaining({
        runbook: 'primary-region-failover',
        action: 'Faultline-RegionFailover',
        status: 'SUCCEEDED',
      }),
    );
    expect(world.dnsActiveRegion()).toBe('us-west-2');
    expect(world.standby!.database()!.status).toBe('primary');

    // Traffic on the standby: its load balancer serves the whole load while the primary is still cut
    // off, and customers see no errors (the fault lasts until 09:20).
    const served = await standbyRequests(new Date('2026-01-05T09:12:00Z'), new Date('2026-01-05T09:18:00Z'));
    expect(served).toHaveLength(6);
    for (const perMinute of served) expect(perMinute / 60).toBeGreaterThan(400);
    for (const rate of errorRates(report, '09:12', '09:18')) expect(rate).toBeLessThan(1);

    const run = report.remediations.find((r) => r.runbook === 'primary-region-failover')!;
    expect(run).toMatchObject({ outcome: 'resolved', approval: { answer: 'approved', by: 'on-call' } });

    expect(rto(summary).met).toBe(true);
    expect(report.objectives.rto.definition).toMatch(/^Impact started → steady state back/);

    // The data the promotion gave up: the standby's replication lag before it took over (~250 ms).
    const { rpo } = report.objectives;
    expect(rpo.failoverEventId).toMatch(/^remediation:/);
    expect(rpo.achievedSeconds).toBeGreaterThan(0.1);
    expect(rpo.achievedSeconds).toBeLessThan(0.5);
    expect(rpo.met).toBe(true);
    expect(rpo.definition).toMatch(/replica lag sampled in the last minute that ended before the failover/);
  }, 120_000);

  it('rejected at the terminal that asks: in real time while asked, announced in its place, recorded as the answer', async () => {
    const { summary, report, markdown, world, here } = await drill('reject-here');
    const { printed, asked, paces } = here!;
    // Nothing moves: checkout is down until the region comes back, the RTO is missed.
    expect(world.dnsActiveRegion()).toBe('us-east-1');
    expect(world.standby!.database()!.status).toBe('secondary');
    for (const rate of errorRates(report, '09:01', '09:19')) expect(rate).toBeGreaterThan(90);
    expect(await standbyRequests(new Date('2026-01-05T09:00:00Z'), new Date('2026-01-05T09:20:00Z'))).toEqual(
      new Array(20).fill(0),
    );
    expect(rto(summary).met).toBe(false);
    expect(report.objectives.rto.note).toBe('the steady state was not back by the recovery deadline');
    expect(report.objectives.rpo).toMatchObject({ achievedSeconds: null, note: 'no failover recorded' });
    const by = defaultAuthor();
    const run = report.remediations.find((r) => r.runbook === 'primary-region-failover')!;
    expect(run).toMatchObject({ outcome: 'rejected', approval: { answer: 'rejected', by } });
    expect(markdown).toMatch(
      new RegExp(`rejected by ${by} at \\d\\d:\\d\\d:\\d\\d \\(waited \\d+ s\\): not during the sale`),
    );

    // Asked again on an answer it does not know, and for the reason a rejection must have.
    expect(asked).toEqual([
      'Approve Faultline-RegionFailover on checkout.example.com. (runbook primary-region-failover)? [a]pprove / [r]eject / Enter: not here › ',
      'Approve Faultline-RegionFailover on checkout.example.com. (runbook primary-region-failover)? [a]pprove / [r]eject / Enter: not here › ',
      'Reason for rejecting (the flow and the timeline show it) › ',
      'Reason for rejecting (the flow and the timeline show it) › ',
    ]);
    expect(paces).toEqual([1, undefined]);
    expect(here!.realWait()).toBeGreaterThanOrEqual(900);

    // Every timed line in time order: the request is not printed after later minutes.
    const stamped = printed.filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l));
    const times = stamped.map((l) => l.slice(0, 8));
    expect(times).toEqual([...times].sort());
    const needed = printed.findIndex((l) => l.includes('APPROVAL NEEDED'));
    expect(printed[needed]).toMatch(
      /^\d\d:\d\d:\d\d {2}APPROVAL NEEDED {2}Faultline-RegionFailover on checkout\.example\.com\. \(runbook primary-region-failover\), until \d\d:\d\d:\d\d$/,
    );
    expect(printed[needed + 1]).toBe('          asked below; unanswered, it is a rejection');
    expect(printed.slice(needed)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^\\d\\d:\\d\\d:\\d\\d  REJECTED +Faultline-RegionFailover .* by ${by}: not during the sale$`,
        ),
      ),
    );
    // The experiment's time as it ran, to the second: no minute numbers to skip.
    const observed = printed.filter((l) => / {2}Observe {2}/.test(l));
    expect(observed.length).toBeGreaterThan(15);
    for (const l of observed) expect(l).toMatch(/Observe +(\d+m)?\d\ds? in: experiment \w+/);
  }, 120_000);

  it('unanswered: the approval times out, nothing moves, the RTO is missed, and the report says so', async () => {
    const { summary, report, markdown, world } = await drill('none');
    expect(world.dnsActiveRegion()).toBe('us-east-1');
    expect(world.standby!.database()!.status).toBe('secondary');
    for (const rate of errorRates(report, '09:01', '09:19')) expect(rate).toBeGreaterThan(90);

    expect(rto(summary).met).toBe(false);
    const run = report.remediations.find((r) => r.runbook === 'primary-region-failover')!;
    expect(run).toMatchObject({ outcome: 'rejected', approval: { answer: 'timed-out', by: null } });
    expect(markdown).toMatch(/no answer: timed out at \d\d:\d\d:\d\d \(waited 15 min\)/);
  }, 120_000);
});
