import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, reportJson } from '../../src/report/json.ts';
import { renderReport } from '../../src/report/render.ts';
import { runCli } from '../helpers/cli.ts';
import {
  AZ_OUTAGE_TRUTH,
  azOutageIncident,
  azOutageTimeline,
  ev,
  iso,
  numbered,
} from '../report/fixtures.ts';
import { stateWith } from './timeline-state.ts';

const AZ = 'gd-az-outage-1';
const EMPTY = 'gd-empty-1';
const DANGLING = 'gd-dangling-1';

describe('faultline report', () => {
  let state: Awaited<ReturnType<typeof stateWith>>;
  const report = (...args: string[]) => runCli(['report', ...args, '--state-dir', state.stateDir]);

  beforeAll(async () => {
    state = await stateWith([
      // Written twice: the store keeps the first of each, numbered in the order written.
      {
        incident: azOutageIncident(),
        events: [...azOutageTimeline(), ...azOutageTimeline()],
        withVerdict: true,
      },
      {
        incident: azOutageIncident({ incidentId: EMPTY, title: 'Nothing happened', closedAt: undefined }),
        events: [],
      },
      {
        incident: azOutageIncident({ incidentId: DANGLING }),
        events: [
          {
            ...ev(DANGLING, '09:05:00', 'correction:1', 'correction', { author: 'al', text: 'no' }),
            corrects: 'alarm:never-written',
          },
        ],
      },
    ]);
  });
  afterAll(() => state.cleanup());

  it('prints the markdown post-mortem draft of the stored timeline, in UTC by default', async () => {
    const r = await report(AZ);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Exactly what the renderer makes of the timeline: nothing lost or doubled on the way through the table.
    expect(r.stdout).toBe(
      `${renderReport(azOutageIncident(), numbered(azOutageTimeline()), { previousRun: null }).markdown.trimEnd()}\n`,
    );
    expect(r.stdout).toMatch(/^# Post-mortem draft: Game day az-outage on checkout\n/);
    // The first az-outage game day in the table: the report looked for an earlier run and says so.
    expect(r.stdout).toContain(
      'No earlier run of az-outage on checkout is recorded: nothing to compare with.',
    );
    expect(r.stdout).toContain('Times are shown in UTC (UTC+00:00).');
    expect(r.stdout).toContain(`| Detected | 2026-01-06 ${AZ_OUTAGE_TRUTH.detected} |`);
    expect(r.stdout).toContain(`| Recovered | 2026-01-06 ${AZ_OUTAGE_TRUTH.recovered} |`);
  });

  it('shows every time in the zone given with --tz, and says which', async () => {
    const r = await report(AZ, '--tz', 'Europe/Paris');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Times are shown in Europe/Paris (UTC+01:00).');
    expect(r.stdout).toContain('| Detected | 2026-01-06 10:02:30 |');
    expect(r.stdout).not.toContain('| Detected | 2026-01-06 09:02:30 |');
  });

  it('prints the JSON form with its schemaVersion, times in UTC and the zone named', async () => {
    const r = await report(AZ, '--format', 'json', '--tz', 'Asia/Tokyo');
    expect(r.code).toBe(0);
    const doc = reportJson.parse(JSON.parse(r.stdout));
    expect(doc.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(doc.timeZone).toBe('Asia/Tokyo');
    expect(doc.incident.incidentId).toBe(AZ);
    const at = (name: string) => doc.keyMoments.find((m) => m.name === name)?.at;
    expect(at('impactStarted')).toBe(iso(AZ_OUTAGE_TRUTH.impactStarted));
    expect(at('mitigated')).toBe(iso(AZ_OUTAGE_TRUTH.mitigated));
    expect(doc.timeline.eventsKept).toBe(new Set(azOutageTimeline().map((e) => e.eventId)).size);
  });

  it('writes the HTML form to --out, with its charts inline, and prints only where it went', async () => {
    const file = join(state.dir, 'out', 'nested', 'report.html');
    const r = await report(AZ, '--format', 'html', '--out', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote ${file}\n`);
    const html = await readFile(file, 'utf8');
    expect(html).toBe(
      renderReport(azOutageIncident(), numbered(azOutageTimeline()), { previousRun: null }).html,
    );
    // Each chart is one figure, drawn at the widths the page picks from.
    expect(html.match(/<figure class="chart"/g)).toHaveLength(5);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('renders an empty incident as a sensible report, not a crash', async () => {
    const r = await report(EMPTY);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Post-mortem draft: Nothing happened');
    expect(r.stdout).toContain("Nothing was recorded on this incident's timeline");
    const json = await report(EMPTY, '--format', 'json');
    expect(reportJson.parse(JSON.parse(json.stdout)).timeline.eventsKept).toBe(0);
  });

  it('refuses an incident that does not exist with one clear line, exit 2', async () => {
    const r = await report('gd-nope');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("faultline: no incident 'gd-nope' (faultline incidents lists them)\n");
  });

  it('names the ids a timeline references but does not contain, exit 2', async () => {
    const r = await report(DANGLING);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `faultline: incident '${DANGLING}': the timeline references events it does not contain: 'correction:1' corrects 'alarm:never-written'\n`,
    );
  });

  it('refuses a time zone or format that does not exist before reading anything', async () => {
    const tz = await report(AZ, '--tz', 'Mars/Olympus');
    expect(tz.code).toBe(2);
    expect(tz.stderr).toContain(
      "option '--tz <zone>' argument 'Mars/Olympus' is invalid. 'Mars/Olympus' is not an IANA time zone",
    );
    const format = await report(AZ, '--format', 'pdf');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'pdf' is invalid. Allowed choices are md, html, json.");
  });

  it('says where to find incidents when there is no sandbox state, and creates none', async () => {
    const missing = join(state.dir, 'no-such-state');
    const r = await runCli(['report', AZ, '--state-dir', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline: no sandbox state in .*no-such-state: run a game day first/);
    expect(existsSync(missing)).toBe(false);
  });

  it('has examples in --help', async () => {
    const r = await runCli(['report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--format <format>');
    expect(r.stdout).toContain('--state-dir <dir>');
    expect(r.stdout).toContain('--endpoint <url>');
  });
});
