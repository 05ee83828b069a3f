import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';
import { runCli } from '../helpers/cli.ts';
import {
  AZ_OUTAGE_TRUTH,
  anyEv,
  azOutageIncident,
  azOutageTimeline,
  ev,
  sample,
} from '../report/fixtures.ts';
import { stateWith } from './timeline-state.ts';

const AZ = 'gd-az-outage-1';
const QUIET = 'inc-quiet-1';

/** Thirty steady minutes, an alarm, half an hour with nothing recorded, a note. */
function quietIncident(): { incident: Incident; events: TimelineEvent[] } {
  const events: TimelineEvent[] = [];
  for (let m = 0; m < 31; m++) {
    const t = `10:${String(m).padStart(2, '0')}:00`;
    // Traffic noise within the tolerance of the run's first minute is not news.
    events.push(
      ev(QUIET, t, `metrics:${t}`, 'metrics.sample', sample(480 + (m % 3), 0.05, 280, [2, 2, 2], 20)),
    );
  }
  events.push(
    ev(
      QUIET,
      '10:30:20',
      'alarm:checkout-5xx-rate:10:30:20',
      'alarm.state',
      { alarm: 'checkout-5xx-rate', from: 'OK', to: 'ALARM', reason: 'Threshold crossed' },
      'alarm checkout-5xx-rate OK → ALARM',
    ),
    anyEv(
      QUIET,
      '10:30:40',
      'remediation:r1:6:verify:not-verified',
      'remediation.verify',
      {
        remediationId: 'r1',
        runbook: 'az-capacity',
        verified: false,
        deadline: '2026-01-06T10:45:20.000Z',
        pending: ['checkout-5xx-rate'],
      },
      // As src/remediation/verify.ts writes it: an instant in UTC, which the reader's zone shows.
      'not recovered by 2026-01-06T10:45:20.000Z: checkout-5xx-rate',
    ),
    ev(QUIET, '11:00:05', 'note:q1', 'note', { author: 'dana', text: 'False alarm?' }, 'dana: False alarm?'),
  );
  return {
    incident: {
      incidentId: QUIET,
      kind: 'remediation',
      title: 'checkout-5xx-rate in ALARM',
      service: 'checkout',
      openedAt: '2026-01-06T10:30:20.000Z',
      status: 'open',
      attributes: {},
    },
    events,
  };
}

/** The TIME column of the minute table (rows start with a time; event continuation lines do not). */
function timeColumn(stdout: string): string[] {
  const table = stdout.slice(stdout.indexOf('\nTIME '));
  return table
    .split('\n')
    .filter((l) => /^\d\d:\d\d/.test(l))
    .map((l) => l.split(/\s+/)[0]!);
}

describe('faultline timeline', () => {
  let state: Awaited<ReturnType<typeof stateWith>>;
  const timeline = (...args: string[]) => runCli(['timeline', ...args, '--state-dir', state.stateDir]);
  // Several tests read the same view: run the command once for them.
  let azRun: ReturnType<typeof timeline> | undefined;
  const azInUtc = () => {
    azRun ??= timeline(AZ);
    return azRun;
  };

  beforeAll(async () => {
    state = await stateWith([
      { incident: azOutageIncident(), events: azOutageTimeline() },
      quietIncident(),
      { incident: azOutageIncident({ incidentId: 'gd-empty-1', title: 'Nothing yet' }), events: [] },
    ]);
  });
  afterAll(() => state.cleanup());

  it('states the time zone at the top, then the key moments as the world had them', async () => {
    const r = await azInUtc();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Timeline of Game day az-outage on checkout',
      `Incident ${AZ} · game day · checkout · resolved`,
      'Times are shown in UTC (UTC+00:00).',
    ]);
    const t = AZ_OUTAGE_TRUTH;
    expect(r.stdout).toContain(
      [
        'Key moments (in the order they happened; durations measured from impact start):',
        `  Impact started  2026-01-06 ${t.impactStarted}`,
        `  Detected        2026-01-06 ${t.detected}  time to detect 2 min 20 s`,
        `  Responded       2026-01-06 ${t.responded}  time to respond 2 min 35 s`,
        `  Mitigated       2026-01-06 ${t.mitigated}  time to mitigate 2 min 50 s`,
        `  Recovered       2026-01-06 ${t.recovered}  time to recover 12 min 50 s`,
        `  Resolved        2026-01-06 ${t.resolved}  time to resolve 14 min 50 s`,
        'Verdict: hypothesis deviated · RTO met (2 min 50 s, objective 15 min)',
      ].join('\n'),
    );
  });

  it('shows one row per minute, every minute accounted for, quiet runs folded', async () => {
    const r = await azInUtc();
    const times = timeColumn(r.stdout);
    expect(times[0]).toBe('08:57–08:59');
    expect(times.at(-1)).toBe('09:15–09:17');
    // Every minute from the first sample to the last, once, in order.
    const minutes = times.flatMap((cell) => {
      const [from, to = from] = cell.split('–') as [string, string?];
      const out: string[] = [];
      for (let m = toMinutes(from); m <= toMinutes(to!); m++) out.push(m.toString());
      return out;
    });
    const expected = Array.from({ length: 21 }, (_, i) => (toMinutes('08:57') + i).toString());
    expect(minutes).toEqual(expected);
    expect(r.stdout).toMatch(/^08:57–08:59 +480 +0\.05 +280 +2\/2\/2 +20 +3 min steady$/m);
    expect(r.stdout).toMatch(
      /^09:01 +480 +22 +900 +0\/2\/2 +6400 +09:01:30 FIS action failover-database completed$/m,
    );
    // One thing happening to several resources at one instant is one line.
    expect(r.stdout).toContain(
      '09:00:10 FIS actions running: power-off-instances, isolate-subnets, failover-database\n',
    );
  });

  it('marks each key moment just before the event it was derived from', async () => {
    const r = await azInUtc();
    const events = eventColumn(r.stdout);
    const lineAfter = (marker: string) => events[events.indexOf(marker) + 1];
    // The events of one instant in the order they were written (the experiment's, then its actions').
    expect(lineAfter('09:00:10 ▶ IMPACT STARTED')).toBe('09:00:10 experiment running');
    expect(lineAfter('09:02:30 ▶ DETECTED')).toBe('09:02:30 alarm checkout-unhealthy-hosts OK → ALARM');
    expect(lineAfter('09:02:45 ▶ RESPONDED')).toBe('09:02:45 alice: Paged by unhealthy hosts; watching.');
    // The first minute from which the error rate stayed within its bound: no event of its own.
    expect(lineAfter('09:03:00 ▶ MITIGATED')).toBe('09:03:00 alarm checkout-5xx-rate OK → ALARM');
    expect(lineAfter('09:13:00 ▶ RECOVERED')).toBe('09:13:00 alarm checkout-unhealthy-hosts ALARM → OK');
    // Resolved is the incident's closing time, inside the last folded run.
    expect(r.stdout).toMatch(/^09:15–09:17 .* 3 min steady\n +09:15:00 ▶ RESOLVED$/m);
  });

  it('folds a long steady run and a stretch with nothing recorded into one row each', async () => {
    const r = await timeline(QUIET);
    expect(r.code).toBe(0);
    expect(timeColumn(r.stdout)).toEqual(['10:00–10:29', '10:30', '10:31–10:59', '11:00']);
    expect(r.stdout).toMatch(/^10:00–10:29 +480 +0\.05 +280 +2\/2\/2 +20 +30 min steady$/m);
    expect(r.stdout).toMatch(/^10:31–10:59 +– +– +– +– +– +29 min with nothing recorded$/m);
    expect(eventColumn(r.stdout)).toEqual([
      '30 min steady',
      '10:30:20 ▶ IMPACT STARTED',
      '10:30:20 ▶ DETECTED',
      '10:30:20 alarm checkout-5xx-rate OK → ALARM',
      '10:30:40 not recovered by 10:45:20: checkout-5xx-rate',
      '29 min with nothing recorded',
      '11:00:05 ▶ RESPONDED',
      '11:00:05 dana: False alarm?',
    ]);
  });

  it('shows times in the zone given with --tz, and says which', async () => {
    const r = await timeline(AZ, '--tz', 'America/New_York');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Times are shown in America/New_York (UTC-05:00).');
    expect(r.stdout).toContain('  Impact started  2026-01-06 04:00:10');
    expect(r.stdout).toContain('04:00:10 ▶ IMPACT STARTED');
    expect(timeColumn(r.stdout)[0]).toBe('03:57–03:59');
  });

  it('shows the instants inside event texts in the zone given with --tz too', async () => {
    const utc = eventColumn((await timeline(QUIET)).stdout);
    expect(utc).toContain('10:30:40 not recovered by 10:45:20: checkout-5xx-rate');
    const paris = eventColumn((await timeline(QUIET, '--tz', 'Europe/Paris')).stdout);
    expect(paris).toContain('11:30:40 not recovered by 11:45:20: checkout-5xx-rate');
  });

  it("leaves the orchestration's bookkeeping to --steps, which says a step returned rather than succeeded", async () => {
    const quiet = eventColumn((await azInUtc()).stdout);
    // A step that failed is news (a retried attempt here); one that started or returned is not.
    expect(quiet.filter((l) => /Observe|VerifyRecovery|Preflight|preflight/.test(l))).toEqual([
      '09:04:12 Observe failed: TransientAwsError: throttled',
    ]);
    expect((await azInUtc()).stdout).toContain('\nPreflight: all 3 checks passed\n');
    const steps = await timeline(AZ, '--steps');
    expect(steps.code).toBe(0);
    const all = eventColumn(steps.stdout);
    expect(all).toContain('09:11:12 step VerifyRecovery #1 started');
    expect(all).toContain('09:11:13 step VerifyRecovery #1 returned');
    expect(all.filter((l) => l.startsWith('09:00:00 gameday.preflight'))).toHaveLength(3);
    expect(all.filter((l) => /succeeded/.test(l))).toEqual([]);
    expect(all.length).toBeGreaterThan(quiet.length + 20);
  });

  it("shows each event's id with --ids", async () => {
    const r = await timeline(AZ, '--ids');
    expect(r.stdout).toContain(
      '09:03:00 alarm checkout-5xx-rate OK → ALARM  [alarm:checkout-5xx-rate:2026-01-06T09:03:00.000Z]',
    );
  });

  it('says plainly that an empty incident has nothing yet', async () => {
    const r = await timeline('gd-empty-1');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Timeline of Nothing yet',
        'Incident gd-empty-1 · game day · checkout · resolved',
        'Times are shown in UTC (UTC+00:00).',
        '',
        "Nothing was recorded on this incident's timeline yet.",
        '',
      ].join('\n'),
    );
  });

  it('refuses an incident that does not exist, exit 2', async () => {
    const r = await timeline('gd-nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("faultline: no incident 'gd-nope' (faultline incidents lists them)\n");
  });

  it('has examples in --help', async () => {
    const r = await runCli(['timeline', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--tz <zone>');
  });
});

/** The EVENTS column of the minute table, line by line. */
function eventColumn(stdout: string): string[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('TIME '));
  const at = lines[header]!.indexOf('EVENTS');
  return lines
    .slice(header + 1)
    .map((l) => l.slice(at).trim())
    .filter((l) => l !== '');
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
