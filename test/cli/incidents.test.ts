import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentListing } from '../../cli/actions/incidents.ts';
import { runCli } from '../helpers/cli.ts';
import { AZ_OUTAGE_ATTRIBUTES, azOutageIncident, azOutageTimeline, ev, iso } from '../report/fixtures.ts';
import { stateWith } from './timeline-state.ts';

describe('faultline incidents', () => {
  let state: Awaited<ReturnType<typeof stateWith>>;
  const incidents = (...args: string[]) => runCli(['incidents', ...args, '--state-dir', state.stateDir]);

  beforeAll(async () => {
    // Written oldest, newest, middle: the list orders them by when they opened, not by when they were written.
    state = await stateWith([
      { incident: azOutageIncident(), events: azOutageTimeline(), withVerdict: true },
      {
        incident: {
          incidentId: 'inc-5xx-20260108',
          kind: 'remediation',
          title: 'checkout-5xx-rate in ALARM',
          service: 'checkout',
          openedAt: '2026-01-08T23:30:00.000Z',
          status: 'open',
          attributes: {},
        },
        events: [],
      },
      {
        incident: azOutageIncident({
          incidentId: 'gd-instance-kill-1',
          title: 'Game day instance-kill',
          openedAt: '2026-01-07T12:00:00.000Z',
          status: 'failed',
        }),
        events: [],
      },
      // A dry run: targets resolved, nothing injected, nothing measured.
      {
        incident: azOutageIncident({
          incidentId: 'gd-dry-1',
          title: 'Game day (dry run): az-outage',
          openedAt: '2026-01-06T12:00:00.000Z',
          closedAt: '2026-01-06T12:02:00.000Z',
          attributes: { ...AZ_OUTAGE_ATTRIBUTES, dryRun: true },
        }),
        events: [
          ev('gd-dry-1', '12:00:00', 'fis:experiment:EXPdry:pending', 'fis.experiment', {
            experimentId: 'EXPdry',
            status: 'pending',
          }),
          ev('gd-dry-1', '12:00:03', 'fis:experiment:EXPdry:completed', 'fis.experiment', {
            experimentId: 'EXPdry',
            status: 'completed',
          }),
          ev('gd-dry-1', '12:02:00', 'recovery:recovered', 'gameday.recovery', {
            recovered: true,
            deadline: iso('12:10:03'),
          }),
        ],
        withVerdict: true,
      },
    ]);
  });
  afterAll(() => state.cleanup());

  it('lists incidents newest first with kind, service, opened, status and verdict', async () => {
    const r = await incidents();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Times are shown in UTC.',
        'INCIDENT            KIND      SERVICE   OPENED            STATUS    HYPOTHESIS  RTO',
        'inc-5xx-20260108    incident  checkout  2026-01-08 23:30  open      –           –',
        'gd-instance-kill-1  game day  checkout  2026-01-07 12:00  failed    –           –',
        'gd-dry-1            dry run   checkout  2026-01-06 12:00  resolved  not tested  not measured (dry run)',
        'gd-az-outage-1      game day  checkout  2026-01-06 08:59  resolved  deviated    met (2 min 50 s, objective 15 min)',
        '',
      ].join('\n'),
    );
  });

  it("does not list a day's dropped-events timeline as an incident, but says where to read it", async () => {
    const dropped = await stateWith([
      {
        incident: {
          incidentId: 'remediation-dropped-2026-01-09',
          kind: 'remediation',
          title: 'Events no remediation acted on, 2026-01-09',
          service: 'unknown',
          openedAt: '2026-01-09T07:15:00.000Z',
          status: 'refused',
          attributes: {},
        },
        events: [],
      },
    ]);
    try {
      const r = await runCli(['incidents', '--state-dir', dropped.stateDir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        [
          'No incidents yet: run a game day (faultline gameday az-outage).',
          '',
          'Events no runbook acted on (faultline timeline <id>): remediation-dropped-2026-01-09',
          '',
        ].join('\n'),
      );
    } finally {
      await dropped.cleanup();
    }
  });

  it('shows the opening times in the zone given with --tz', async () => {
    const r = await incidents('--tz', 'Europe/Paris');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Times are shown in Europe/Paris.');
    // 23:30 UTC is the next day in Paris.
    expect(r.stdout).toMatch(/^inc-5xx-20260108 +incident +checkout +2026-01-09 00:30 +open/m);
  });

  it('prints JSON for scripts with --json, the verdict as the report recorded it', async () => {
    const r = await incidents('--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as IncidentListing[];
    expect(list.map((i) => i.incidentId)).toEqual([
      'inc-5xx-20260108',
      'gd-instance-kill-1',
      'gd-dry-1',
      'gd-az-outage-1',
    ]);
    expect(list[2]).toMatchObject({
      kind: 'dry-run',
      verdict: { hypothesis: 'untested', rto: { objectiveSeconds: 900, achievedSeconds: null, met: null } },
    });
    expect(list[3]).toEqual({
      incidentId: 'gd-az-outage-1',
      kind: 'gameday',
      title: 'Game day az-outage on checkout',
      service: 'checkout',
      status: 'resolved',
      openedAt: '2026-01-06T08:59:58.000Z',
      closedAt: '2026-01-06T09:15:00.000Z',
      verdict: {
        hypothesis: 'deviated',
        injected: true,
        rto: { objectiveSeconds: 900, achievedSeconds: 170, met: true },
        faultStopped: true,
        experiment: { id: 'EXP4z9kPq2', finalStatus: 'completed', reason: 'Experiment completed.' },
      },
    });
    expect(list[0]!.verdict).toBeNull();
    expect(list[0]!.closedAt).toBeNull();
  });

  it('shows the newest --limit and says there are more', async () => {
    const r = await incidents('--limit', '2', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as IncidentListing[]).map((i) => i.incidentId)).toEqual([
      'inc-5xx-20260108',
      'gd-instance-kill-1',
    ]);
    expect(r.stderr).toBe('(showing the newest 2: pass --limit to see more)\n');
    const all = await incidents('--limit', '4');
    expect(all.stderr).toBe('');
  });

  it('says so when there are no incidents yet', async () => {
    const empty = await stateWith([]);
    try {
      const r = await runCli(['incidents', '--state-dir', empty.stateDir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('No incidents yet: run a game day (faultline gameday az-outage).\n');
      const json = await runCli(['incidents', '--json', '--state-dir', empty.stateDir]);
      expect(JSON.parse(json.stdout)).toEqual([]);
    } finally {
      await empty.cleanup();
    }
  });

  it('refuses a folder that holds no sandbox state, and bad flags, with exit 2', async () => {
    const dir = join(state.dir, 'not-a-state');
    await mkdir(dir);
    const r = await runCli(['incidents', '--state-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: no sandbox state in .*not-a-state: run a game day first/);
    const both = await runCli(['incidents', '--aws', '--endpoint', 'http://127.0.0.1:1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('faultline: --aws and --endpoint exclude each other\n');
    const limit = await incidents('--limit', '0');
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain("argument '0' is invalid. It must be a whole number from 1 to 10000.");
  });

  // Last: it changes the state the tests above read.
  it('closes an open incident by hand with a reason, which the list then shows resolved', async () => {
    const r = await runCli([
      'incidents',
      'close',
      'inc-5xx-20260108',
      '--reason',
      'held back during the drill; checked by hand',
      '--author',
      'ic',
      '--state-dir',
      state.stateDir,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Closed inc-5xx-20260108 at \S+Z: ic: closed the incident: held back during the drill; checked by hand\n$/,
    );
    const list = JSON.parse((await incidents('--json', '--limit', '1')).stdout) as IncidentListing[];
    expect(list[0]).toMatchObject({
      incidentId: 'inc-5xx-20260108',
      status: 'resolved',
      closedAt: expect.any(String),
    });
  });

  it('has examples in --help', async () => {
    const r = await runCli(['incidents', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--json');
  });
});
