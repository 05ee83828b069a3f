import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/report/analysis.ts';
import { renderReport } from '../../src/report/render.ts';
import { zoneFormat } from '../../src/report/time-zone.ts';
import { compareRuns, comparisonSentence } from '../../src/scorecard/change.ts';
import { type RunRecord, runOf, runRecord } from '../../src/scorecard/run.ts';
import { SCORE_DEFINITION, scorecardOf } from '../../src/scorecard/scorecard.ts';
import { definitionLines, scorecardLines } from '../../src/scorecard/terminal.ts';
import { instanceKillIncident, instanceKillTimeline } from '../report/fixtures.ts';
import { DAY_MS, dayAt, killRun, run } from './fixtures.ts';

const START = Date.parse(dayAt(0));

describe("a game day's record", () => {
  it('reads what its report concluded: instance-kill with remediation recovers in time, without it misses the RTO', () => {
    const on = killRun(true);
    expect(runRecord.safeParse(on).success).toBe(true);
    // The fixture's error rate leaves its bound for a minute: the hypothesis deviated either way.
    expect(on).toMatchObject({
      incidentId: 'gd-instance-kill-1',
      service: 'checkout',
      experiment: 'instance-kill',
      kind: 'gameday',
      passed: false,
      reasons: ['the hypothesis deviated'],
      hypothesis: 'deviated',
      rto: { objectiveSeconds: 600, achievedSeconds: 422, met: true },
      timeToDetectSeconds: 182,
      remediations: [{ runbook: 'unhealthy-hosts' }],
    });
    const off = killRun(false);
    expect(off).toMatchObject({
      passed: false,
      reasons: ['the hypothesis deviated', 'RTO missed'],
      rto: { achievedSeconds: null, met: false },
      remediations: [],
    });
  });

  it('is none for an incident that is not a game day, and a dry run is never a pass', () => {
    expect(runOf(analyse(instanceKillIncident({ kind: 'remediation' }), instanceKillTimeline()))).toBeNull();
    const dry = runOf(
      analyse(
        instanceKillIncident({ attributes: { ...instanceKillIncident().attributes, dryRun: true } }),
        instanceKillTimeline(),
      ),
    )!;
    expect(dry).toMatchObject({ kind: 'dry-run', passed: null, reasons: ['dry run: nothing was injected'] });
  });
});

describe('one run against the one before it', () => {
  it('remediation on after off is better, and says what changed with the values on both sides', () => {
    const c = compareRuns(killRun(false), killRun(true));
    expect(c.verdict).toBe('better');
    expect(comparisonSentence(c)).toBe(
      'better: RTO met (7 min 2 s) (was missed (not recovered)); remediations unhealthy-hosts in-progress (was none)',
    );
    expect(compareRuns(killRun(true), killRun(false)).verdict).toBe('worse');
    const passedNow = compareRuns(killRun(false), { ...killRun(true), passed: true, reasons: [] });
    expect(passedNow.changes[0]).toMatchObject({ what: 'result', direction: 'better' });
  });

  it('calls equal runs unchanged and leaves noise out; a dry run is not compared', () => {
    const a = run(0, { timeToDetectSeconds: 100 });
    expect(comparisonSentence(compareRuns(a, run(1, { timeToDetectSeconds: 110 })))).toBe(
      'unchanged: every measure within its noise of the previous run',
    );
    const slower = compareRuns(a, run(1, { timeToDetectSeconds: 400 }));
    expect(slower.verdict).toBe('worse');
    expect(slower.changes).toEqual([
      { what: 'time to detect', previous: '1 min 40 s', current: '6 min 40 s', direction: 'worse' },
    ]);
    const dry = compareRuns(a, run(1, { kind: 'dry-run', passed: null }));
    expect(dry).toMatchObject({
      verdict: 'not compared',
      note: 'this run is a dry run: it measured nothing',
    });
  });
});

describe("a service's scorecard", () => {
  const window = { from: START - DAY_MS, to: START + 30 * DAY_MS, days: 31 };
  const card = (
    runs: RunRecord[],
    declared = [] as { name: string; service: string; schedule: string | null }[],
  ) => scorecardOf({ service: 'checkout', runs, window, declared, lastRuns: new Map(), unreadable: 0 });

  it('scores the counted game days only, keeps dry and refused runs apart, and says how the score is made', () => {
    const c = card([
      run(0, { passed: false }),
      run(1),
      run(2, { kind: 'dry-run', passed: null, reasons: ['dry run: nothing was injected'] }),
      run(3, { kind: 'refused', passed: null, reasons: ['refused before anything was injected'] }),
      run(4),
      run(5),
    ]);
    expect(c.score).toEqual({ value: 75, passed: 3, counted: 4, definition: SCORE_DEFINITION });
    expect(c.counts).toMatchObject({ gamedays: 4, passed: 3, notPassed: 1, dryRuns: 1, refused: 1 });
    expect(c.runs.map((r) => r.incidentId)).toEqual(['gd-5', 'gd-4', 'gd-3', 'gd-2', 'gd-1', 'gd-0']);
    expect(c.experiments).toHaveLength(1);
    expect(c.experiments[0]).toMatchObject({
      experiment: 'instance-kill',
      counted: 4,
      passed: 3,
      dryRuns: 1,
      refused: 1,
    });
  });

  it('trends on the older half against the newer, naming the runs each half is', () => {
    const c = card([
      run(0, { passed: false }),
      run(1, { passed: false }),
      run(2),
      run(3, { passed: false }),
      run(4),
    ]);
    expect(c.trend.direction).toBe('better');
    expect(c.trend.older).toMatchObject({ counted: 2, passed: 0, score: 0, incidentIds: ['gd-0', 'gd-1'] });
    expect(c.trend.newer).toMatchObject({
      counted: 3,
      passed: 2,
      score: 67,
      incidentIds: ['gd-2', 'gd-3', 'gd-4'],
    });
    expect(card([run(0), run(1), run(2, { passed: false })]).trend.direction).toBe('not enough runs');
    expect(card([run(0), run(1), run(2), run(3)]).trend.direction).toBe('unchanged');
  });

  it('names the declared experiments without a game day in the window', () => {
    const c = card(
      [run(0)],
      [
        { name: 'instance-kill', service: 'checkout', schedule: null },
        { name: 'az-outage', service: 'checkout', schedule: 'rate(7 days)' },
      ],
    );
    expect(c.notRehearsed.map((n) => [n.experiment, n.schedule, n.last])).toEqual([
      ['az-outage', 'rate(7 days)', null],
    ]);
  });

  it('adds up the error budget the game days spent and counts how remediations ended', () => {
    const spend = (spentPercent: number) => ({
      availabilitySlo: 99.9,
      windowSeconds: 2_592_000,
      spentPercent,
    });
    const c = card([run(0, { errorBudget: spend(1.25) }), run(1, { errorBudget: spend(0.5) })]);
    expect(c.errorBudget).toMatchObject({ spentPercent: 1.75, runs: 2, availabilitySlo: [99.9] });
    expect(c.remediations).toHaveLength(1);
    expect(c.remediations[0]!.attempts).toBe(2);
  });
});

describe("the report's previous-run line", () => {
  it('names the previous run and says in one line what is better; none recorded says so', () => {
    const incident = instanceKillIncident();
    const previous = {
      ...killRun(false),
      incidentId: 'gd-instance-kill-0',
      openedAt: '2025-12-29T09:00:00.000Z',
    };
    const { markdown, run: recorded } = renderReport(incident, instanceKillTimeline(), {
      timeZone: 'UTC',
      previousRun: previous,
    });
    expect(markdown).toMatch(
      /Previous run of instance-kill: gd-instance-kill-0 \(2025-12-29 09:00, not passed: the hypothesis deviated; RTO missed\)\. This run: better: RTO met \(7 min 2 s\)/,
    );
    expect(recorded?.incidentId).toBe('gd-instance-kill-1');
    const first = renderReport(incident, instanceKillTimeline(), { timeZone: 'UTC', previousRun: null });
    expect(first.markdown).toContain(
      'No earlier run of instance-kill on checkout is recorded: nothing to compare with.',
    );
    expect(renderReport(incident, instanceKillTimeline(), { timeZone: 'UTC' }).markdown).not.toContain(
      'Previous run',
    );
  });
});

describe('the scorecard in a terminal', () => {
  it('leads with the score and trend, keeps dry runs apart, and ends with the definitions', () => {
    const card = scorecardOf({
      service: 'checkout',
      runs: [run(0, { passed: false }), run(1), run(2, { kind: 'dry-run', passed: null }), run(3), run(4)],
      window: { from: START - DAY_MS, to: START + 30 * DAY_MS, days: 31 },
      declared: [],
      lastRuns: new Map(),
      unreadable: 0,
    });
    const lines = [...scorecardLines(card, zoneFormat('UTC')), ...definitionLines(card)];
    expect(lines.slice(0, 4)).toEqual([
      'checkout: score 75/100 (3 of 4 game days passed)',
      '  trend better: 100 (2 of 2, 2026-01-08 to 2026-01-09) against 50 (1 of 2, 2026-01-05 to 2026-01-06)',
      '  game days from 2026-01-04 to 2026-02-04 09:00 (31 days, times in UTC)',
      '  Not counted: 1 dry run (they injected nothing).',
    ]);
    expect(lines.at(-3)).toBe(`Score: ${SCORE_DEFINITION}`);
  });
});
