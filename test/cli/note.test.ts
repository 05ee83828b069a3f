import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportJson } from '../../src/report/json.ts';
import { runCli } from '../helpers/cli.ts';
import { azOutageIncident, azOutageTimeline } from '../report/fixtures.ts';
import { stateWith } from './timeline-state.ts';

const AZ = 'gd-az-outage-1';
const ALARM = 'alarm:checkout-5xx-rate:2026-01-06T09:03:00.000Z';

describe('faultline note', () => {
  let state: Awaited<ReturnType<typeof stateWith>>;
  const cli = (...args: string[]) => runCli([...args, '--state-dir', state.stateDir]);
  const eventsKept = async () =>
    reportJson.parse(JSON.parse((await cli('report', AZ, '--format', 'json')).stdout)).timeline.eventsKept;

  // One state for the file: each test checks what it added, not the whole timeline.
  beforeAll(async () => {
    state = await stateWith([{ incident: azOutageIncident(), events: azOutageTimeline() }]);
  });
  afterAll(() => state.cleanup());

  it('adds a note in the minute it is about, by its author', async () => {
    const r = await cli(
      'note',
      AZ,
      'Looking at replica lag',
      '--author',
      'bob',
      '--at',
      '2026-01-06T10:03:30+01:00',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Note added to gd-az-outage-1 as note:[0-9a-f-]{36} \(at 2026-01-06T09:03:30\.000Z\)\.\n$/,
    );
    const timeline = await cli('timeline', AZ);
    expect(timeline.stdout).toMatch(/^ +09:03:30 bob: Looking at replica lag$/m);
    const report = await cli('report', AZ);
    expect(report.stdout).toContain('09:03:30 bob: Looking at replica lag');
  });

  it('adds a correction that names the event it corrects, which stays visible', async () => {
    const r = await cli(
      'note',
      AZ,
      'Fired late: the alarm period is 5 min',
      '--author',
      'dana',
      '--corrects',
      ALARM,
      '--at',
      '2026-01-06T09:20:00Z',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^Correction of ${ALARM} added to ${AZ} as correction:[0-9a-f-]{36}`),
    );
    const timeline = (await cli('timeline', AZ)).stdout;
    // The original, with the correction under it; and the correction itself, in its own minute.
    expect(timeline).toMatch(
      /09:03:00 alarm checkout-5xx-rate OK → ALARM\n +↳ corrected at 09:20:00: dana: Fired late: the alarm period is 5 min$/m,
    );
    expect(timeline).toMatch(
      new RegExp(
        `^09:20 .* 09:20:00 dana: Fired late: the alarm period is 5 min \\(corrects ${ALARM}\\)$`,
        'm',
      ),
    );
    const report = (await cli('report', AZ)).stdout;
    expect(report).toContain(
      '09:03:00 alarm checkout-5xx-rate OK → ALARM [corrected at 09:20:00: dana: Fired late: the alarm period is 5 min]',
    );
  });

  it('refuses to correct an event the timeline does not have, and writes nothing', async () => {
    const before = await eventsKept();
    const r = await cli('note', AZ, 'Wrong', '--corrects', 'alarm:no-such-alarm');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `faultline: nothing written: incident '${AZ}' has no event 'alarm:no-such-alarm' to correct (faultline timeline ${AZ} --ids shows the ids)\n`,
    );
    expect(await eventsKept()).toBe(before);
  });

  it('refuses an unknown incident, empty text and a time without a zone, writing nothing', async () => {
    const before = await eventsKept();
    const unknown = await cli('note', 'gd-nope', 'Hello');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("faultline: no incident 'gd-nope' (faultline incidents lists them)\n");
    const blank = await cli('note', AZ, '   ');
    expect(blank.code).toBe(2);
    expect(blank.stderr).toBe('faultline: nothing written: the text is empty\n');
    const local = await cli('note', AZ, 'Hello', '--at', '2026-01-06 09:03');
    expect(local.code).toBe(2);
    expect(local.stderr).toContain("'2026-01-06 09:03' is not an ISO-8601 time with a zone");
    expect(await eventsKept()).toBe(before);
    const list = await cli('incidents', '--json');
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('has examples in --help', async () => {
    const r = await runCli(['note', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--corrects <event-id>');
  });
});

describe('faultline note without --at', () => {
  it('adds the note at the sandbox’s own time, which runs on from the state it saved', async () => {
    const state = await stateWith([{ incident: azOutageIncident(), events: azOutageTimeline() }]);
    try {
      const cli = (...args: string[]) => runCli([...args, '--state-dir', state.stateDir]);
      const r = await cli('note', AZ, 'Post-mortem booked for Thursday', '--author', 'carol');
      expect(r.code).toBe(0);
      const at = /\(at (\S+)\)\.$/m.exec(r.stdout)![1]!;
      // Virtual time (the sandbox starts in January 2026 and moves on by the hour), not this machine's.
      const virtual = Date.parse(at);
      expect(virtual % 3_600_000).toBe(0);
      expect(virtual).toBeLessThan(Date.parse('2026-02-01T00:00:00Z'));
      expect((await cli('timeline', AZ)).stdout).toMatch(
        / \d\d:00:00 carol: Post-mortem booked for Thursday$/m,
      );
    } finally {
      await state.cleanup();
    }
  });
});
