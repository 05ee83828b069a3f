import { describe, expect, it } from 'vitest';
import { experimentSchema } from '../../src/experiments/schema.ts';
import { matchesFilters, selectionCount } from '../../src/gameday/blast-radius.ts';
import { readableCause } from '../../src/gameday/emergency-stop.ts';
import { crossedFor, maxDurationExceeded } from '../../src/gameday/guardrails.ts';
import { subjectLine } from '../../src/gameday/notify.ts';
import { blastRadiusCheck } from '../../src/gameday/preflight.ts';
import { recoveryDecision } from '../../src/gameday/verify-recovery.ts';
import { checkWindows, type WindowSpec } from '../../src/gameday/window.ts';

const MINUTE = 60_000;
// 2026-01-05 is a Monday.
const MONDAY_0930_UTC = new Date('2026-01-05T09:30:00Z');

describe('allowed windows', () => {
  const window = (over: Partial<WindowSpec>): WindowSpec => ({
    days: ['mon'],
    from: '09:00',
    to: '17:00',
    timezone: 'UTC',
    ...over,
  });

  it('allows any time when no window is configured', () => {
    expect(checkWindows([], MONDAY_0930_UTC).ok).toBe(true);
  });

  it('reads the time in the window’s own time zone, from included and to excluded', () => {
    expect(checkWindows([window({})], MONDAY_0930_UTC).ok).toBe(true);
    // 09:30 UTC is 04:30 in New York: before the window opens.
    const ny = checkWindows([window({ timezone: 'America/New_York' })], MONDAY_0930_UTC);
    expect(ny.ok).toBe(false);
    expect(ny.detail).toMatch(/^guardrails\.windows: mon 04:30 America\/New_York is outside/);
    expect(checkWindows([window({ from: '09:30' })], MONDAY_0930_UTC).ok).toBe(true);
    expect(checkWindows([window({ to: '09:30' })], MONDAY_0930_UTC).ok).toBe(false);
  });

  it('checks the weekday where the window is (Monday 00:30 UTC is still Sunday in Los Angeles)', () => {
    const at = new Date('2026-01-05T00:30:00Z');
    expect(checkWindows([window({ from: '00:00', to: '23:59' })], at).ok).toBe(true);
    expect(
      checkWindows([window({ from: '00:00', to: '23:59', timezone: 'America/Los_Angeles' })], at).ok,
    ).toBe(false);
    expect(
      checkWindows(
        [window({ days: ['sun'], from: '16:00', to: '17:00', timezone: 'America/Los_Angeles' })],
        at,
      ).ok,
    ).toBe(true);
  });
});

describe('blast radius selection', () => {
  it('counts what FIS selection modes pick', () => {
    expect(selectionCount('ALL', 6)).toBe(6);
    expect(selectionCount('COUNT(1)', 6)).toBe(1);
    expect(selectionCount('COUNT(9)', 6)).toBe(6);
    expect(selectionCount('PERCENT(50)', 6)).toBe(3);
    expect(selectionCount('PERCENT(10)', 6)).toBe(1);
    expect(selectionCount('PERCENT(10)', 0)).toBe(0);
  });

  it('matches FIS filter paths against the Describe output', () => {
    const instance = {
      InstanceId: 'i-1',
      Placement: { AvailabilityZone: 'us-east-1a' },
      State: { Name: 'running' },
    };
    expect(
      matchesFilters(instance, { 'Placement.AvailabilityZone': 'us-east-1a', 'State.Name': 'running' }),
    ).toBe(true);
    expect(matchesFilters(instance, { 'Placement.AvailabilityZone': ['us-east-1b', 'us-east-1c'] })).toBe(
      false,
    );
    expect(matchesFilters(instance, { 'Placement.Tenancy': 'default' })).toBe(false);
    expect(matchesFilters(instance, undefined)).toBe(true);
  });
});

describe('abort bounds', () => {
  const bound = {
    namespace: 'Faultline/Service',
    metric: 'ErrorRate',
    dimensions: { Service: 'checkout' },
    statistic: 'Average',
    above: 50,
    forMinutes: 2,
  };
  const last = Date.parse('2026-01-05T09:10:00Z');
  const series = (values: [number, number][]) => new Map(values.map(([ago, v]) => [last - ago * MINUTE, v]));

  it('trips only after forMinutes consecutive minutes over the bound', () => {
    expect(crossedFor(bound, series([[0, 60]]), last)).toBe(false);
    expect(
      crossedFor(
        bound,
        series([
          [1, 70],
          [0, 60],
        ]),
        last,
      ),
    ).toBe(true);
    expect(
      crossedFor(
        bound,
        series([
          [1, 40],
          [0, 60],
        ]),
        last,
      ),
    ).toBe(false);
    expect(
      crossedFor(
        { ...bound, above: undefined, below: 10 },
        series([
          [1, 5],
          [0, 2],
        ]),
        last,
      ),
    ).toBe(true);
  });

  it('reads a late minute but not silence: a gap or stale data never trips it', () => {
    expect(
      crossedFor(
        bound,
        series([
          [2, 70],
          [1, 60],
        ]),
        last,
      ),
    ).toBe(true);
    expect(
      crossedFor(
        bound,
        series([
          [3, 70],
          [2, 60],
        ]),
        last,
      ),
    ).toBe(false);
    expect(
      crossedFor(
        bound,
        series([
          [2, 70],
          [0, 60],
        ]),
        last,
      ),
    ).toBe(false);
    expect(crossedFor(bound, new Map(), last)).toBe(false);
  });

  it('stops a fault that outlives guardrails.maxDuration', () => {
    const spec = experimentSchema.parse({
      name: 'x',
      description: 'x',
      service: 'checkout',
      objectives: { rto: 'PT5M' },
      hypothesis: { alarms: ['a'] },
      fault: { targets: {}, actions: { wait: { action: 'aws:fis:wait' } } },
      stopConditions: ['a'],
      guardrails: { maxDuration: 'PT10M' },
    });
    const start = new Date('2026-01-05T09:00:00Z');
    expect(maxDurationExceeded(spec, start, new Date(start.getTime() + 10 * MINUTE))).toBeUndefined();
    expect(maxDurationExceeded(spec, start, new Date(start.getTime() + 11 * MINUTE))).toMatchObject({
      code: 'max-duration',
      reason: expect.stringMatching(/^guardrails\.maxDuration: .* 11 min, longer than PT10M/),
    });
  });
});

describe('recovery deadline', () => {
  const faultEndedAt = new Date('2026-01-05T09:20:00Z');
  const rtoMs = 15 * MINUTE;
  const at = (min: number) => new Date(faultEndedAt.getTime() + min * MINUTE);

  it('keeps verifying until recovered or past fault end + RTO', () => {
    expect(recoveryDecision({ recovered: false, faultEndedAt, rtoMs, now: at(5) })).toMatchObject({
      done: false,
      withinRto: false,
    });
    expect(recoveryDecision({ recovered: true, faultEndedAt, rtoMs, now: at(5) })).toMatchObject({
      done: true,
      withinRto: true,
    });
    expect(recoveryDecision({ recovered: false, faultEndedAt, rtoMs, now: at(15) }).done).toBe(false);
    expect(recoveryDecision({ recovered: false, faultEndedAt, rtoMs, now: at(16) })).toMatchObject({
      done: true,
      withinRto: false,
    });
    expect(recoveryDecision({ recovered: true, faultEndedAt, rtoMs, now: at(16) }).withinRto).toBe(false);
    expect(recoveryDecision({ recovered: false, faultEndedAt, rtoMs, now: at(0) }).deadline).toEqual(
      new Date('2026-01-05T09:35:00Z'),
    );
  });

  it('runs from the impact when the RTO does (a lost region): past it once the fault ends, done at the first look', () => {
    const impactAt = new Date('2026-01-05T09:00:03Z');
    expect(recoveryDecision({ recovered: false, faultEndedAt, impactAt, rtoMs, now: at(1) })).toMatchObject({
      done: true,
      deadline: new Date('2026-01-05T09:15:03Z'),
    });
    expect(recoveryDecision({ recovered: true, faultEndedAt, impactAt, rtoMs, now: at(1) }).done).toBe(true);
  });
});

describe('notification text', () => {
  it('keeps SNS subjects printable ASCII under 100 characters', () => {
    expect(subjectLine('game day az-outage — recovered\nwithin RTO')).toBe(
      'game day az-outage - recovered within RTO',
    );
    const long = subjectLine(`x${'y'.repeat(200)}`);
    expect(long).toHaveLength(99);
    expect(long.endsWith('...')).toBe(true);
    expect(subjectLine('café ✓')).toBe('cafe');
  });

  it('shows the message of a Lambda error cause', () => {
    expect(readableCause('{"errorType":"TransientAwsError","errorMessage":"throttled"}')).toBe('throttled');
    expect(readableCause('plain words')).toBe('plain words');
    expect(readableCause(undefined)).toBeUndefined();
  });
});

describe('the blast-radius guardrail', () => {
  const spec = (maxBlastRadiusPercent: number) =>
    ({ service: 'orders', guardrails: { maxBlastRadiusPercent } }) as Parameters<typeof blastRadiusCheck>[0];
  const lambdaOnly = {
    targets: {},
    instancesHit: 0,
    instancesTotal: 0,
    percent: 0,
    uncounted: { function: 'aws:lambda:function' },
  };

  it('does not pass a fault it cannot count as one that hits nothing', () => {
    const refused = blastRadiusCheck(spec(20), lambdaOnly);
    expect(refused).toMatchObject({ ok: false });
    expect(refused.detail).toBe(
      'guardrails.maxBlastRadiusPercent: 20% cannot be checked: the blast radius is counted in running orders instances, and the fault targets none: not counted: function (aws:lambda:function); set it to 100 to run without that guardrail',
    );
    expect(blastRadiusCheck(spec(100), lambdaOnly)).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/not counted: function \(aws:lambda:function\) \(no limit set\)$/),
    });
  });

  it('names what it did not count beside the instances it did', () => {
    const mixed = {
      targets: { 'az-instances': ['i-1', 'i-2'] },
      instancesHit: 2,
      instancesTotal: 6,
      percent: 33.3,
      uncounted: { 'session-cache': 'aws:elasticache:replicationgroup' },
    };
    expect(blastRadiusCheck(spec(40), mixed).detail).toBe(
      'the fault would hit 2 of 6 running orders instances (33.3%), within the 40% allowed; not counted: session-cache (aws:elasticache:replicationgroup)',
    );
    expect(blastRadiusCheck(spec(30), mixed).ok).toBe(false);
  });

  it('lets a dry run through, saying what a real run would be refused for', () => {
    expect(blastRadiusCheck(spec(20), lambdaOnly, { dryRun: true })).toEqual({
      name: 'blast-radius',
      ok: true,
      detail:
        'dry run: a real run would be refused: guardrails.maxBlastRadiusPercent: 20% cannot be checked: the blast radius is counted in running orders instances, and the fault targets none: not counted: function (aws:lambda:function); set it to 100 to run without that guardrail',
    });
  });
});
