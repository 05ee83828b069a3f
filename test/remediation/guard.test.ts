import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import {
  CLAIM_HOLD_MS,
  type GuardLimits,
  guardLimits,
  RemediationGuard,
} from '../../src/remediation/guard.ts';
import { runbookSchema } from '../../src/runbooks/schema.ts';
import { startSandbox } from '../helpers/sandbox.ts';
import { remediationTable } from '../helpers/tables.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The guard's time is the test's: it moves only when a test says so. */
class TestTime {
  ms = Date.UTC(2026, 0, 5, 9, 0, 0);
  readonly now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

describe('the remediation guard on DynamoDB', () => {
  let sb: Sandbox;
  let db: DynamoDBDocumentClient;
  let tables = 0;

  beforeAll(async () => {
    const started = await startSandbox();
    sb = started.sb;
    // One table per test keeps them independent; the first also checks serverless.yml declares it.
    const first = await remediationTable(started.config, 'remediation-0');
    db = first.db;
    makeTable = async () => (await remediationTable(started.config, `remediation-${++tables}`)).table;
  });
  afterAll(async () => {
    await sb?.close();
  });

  let makeTable: () => Promise<string>;
  async function guard(): Promise<{ guard: RemediationGuard; time: TestTime }> {
    const time = new TestTime();
    return { guard: new RemediationGuard(db, await makeTable(), time.now), time };
  }

  const limits: GuardLimits = {
    cooldownMs: 5 * MINUTE,
    perResource: { max: 2, windowMs: HOUR },
    perRunbook: { max: 10, windowMs: HOUR },
    breaker: { failures: 3, windowMs: HOUR, halfOpenAfterMs: 30 * MINUTE },
  };

  it('reads a runbook’s limits in milliseconds', () => {
    const rb = runbookSchema.parse({
      name: 'x',
      description: 'd',
      match: { alarm: { name: 'a' } },
      action: { automation: { document: 'Faultline-ScaleOut' } },
      verify: { within: 'PT5M', alarms: ['a'] },
      limits: { cooldown: 'PT5M', perResource: { max: 2, window: 'PT1H' } },
    });
    expect(guardLimits(rb.limits)).toEqual({
      cooldownMs: 5 * MINUTE,
      perResource: { max: 2, windowMs: HOUR },
      perRunbook: { max: 10, windowMs: HOUR },
      breaker: { failures: 3, windowMs: HOUR, halfOpenAfterMs: 30 * MINUTE },
    });
  });

  describe('claiming events', () => {
    it('lets exactly one of 100 concurrent deliveries of the same event win', async () => {
      const { guard: g } = await guard();
      const keys = ['alarm#checkout-unhealthy-hosts#ALARM#2026-01-05T09:07:00Z', 'event#e-1'];
      const claims = await Promise.all(
        Array.from({ length: 100 }, (_, i) => g.claimEvent(keys, `exec-${i}`)),
      );
      const winners = claims.flatMap((c, i) => (c.claimed ? [`exec-${i}`] : []));
      expect(winners).toHaveLength(1);
      const losers = claims.filter((c) => !c.claimed);
      expect(losers.every((c) => !c.claimed && c.key === keys[0] && c.heldBy === winners[0])).toBe(true);
    });

    it('refuses the same transition arriving as another event, and keeps a claim for its own retry', async () => {
      const { guard: g } = await guard();
      const transition = 'alarm#checkout-5xx-rate#ALARM#2026-01-05T09:07:00Z';
      expect(await g.claimEvent([transition, 'event#e-1'], 'exec-a')).toEqual({ claimed: true });
      expect(await g.claimEvent([transition, 'event#e-2'], 'exec-b')).toEqual({
        claimed: false,
        key: transition,
        heldBy: 'exec-a',
      });
      expect(await g.claimEvent([transition, 'event#e-1'], 'exec-a')).toEqual({ claimed: true });
      // A new transition of the same alarm is a new event.
      expect(
        (await g.claimEvent(['alarm#checkout-5xx-rate#ALARM#2026-01-05T10:00:00Z'], 'exec-c')).claimed,
      ).toBe(true);
    });

    it('does not let an expired claim block, whether or not TTL has deleted it', async () => {
      const { guard: g, time } = await guard();
      expect((await g.claimEvent(['event#old'], 'exec-a')).claimed).toBe(true);
      time.advance(CLAIM_HOLD_MS - 1);
      expect((await g.claimEvent(['event#old'], 'exec-b')).claimed).toBe(false);
      time.advance(1);
      expect((await g.claimEvent(['event#old'], 'exec-b')).claimed).toBe(true);
    });
  });

  describe('rate limits', () => {
    it('never allows more than the limits for 1,000 concurrent attempts on 50 resources', async () => {
      const { guard: g } = await guard();
      const attempts = Array.from({ length: 1000 }, (_, i) => ({
        resource: `i-${i % 50}`,
        owner: `exec-${i}`,
      }));
      const permits = await Promise.all(
        attempts.map((a) => g.acquireAction('restart', a.resource, a.owner, limits)),
      );
      const allowed = attempts.filter((_, i) => permits[i]!.allowed);
      const perResource = new Map<string, number>();
      for (const a of allowed) perResource.set(a.resource, (perResource.get(a.resource) ?? 0) + 1);
      // The runbook's ten slots are never given back, so all ten are used; the cooldown holds each resource to one.
      expect(allowed).toHaveLength(limits.perRunbook.max);
      expect(Math.max(...perResource.values())).toBe(1);
      const refusals = new Set(permits.flatMap((p) => (p.allowed ? [] : [p.limit])));
      expect(refusals).toEqual(new Set(['cooldown', 'per-runbook']));
    });

    it('holds each resource to its cooldown and its window, and frees them as time passes', async () => {
      const { guard: g, time } = await guard();
      const lots = { ...limits, perRunbook: { max: 100, windowMs: HOUR } };
      expect(await g.acquireAction('restart', 'i-1', 'e1', lots)).toEqual({ allowed: true });
      expect(await g.acquireAction('restart', 'i-1', 'e2', lots)).toMatchObject({
        allowed: false,
        limit: 'cooldown',
      });
      // Another runbook, or another resource, has its own cooldown.
      expect((await g.acquireAction('scale', 'i-1', 'e3', lots)).allowed).toBe(true);
      expect((await g.acquireAction('restart', 'i-2', 'e4', lots)).allowed).toBe(true);
      time.advance(5 * MINUTE);
      expect((await g.acquireAction('restart', 'i-1', 'e5', lots)).allowed).toBe(true);
      time.advance(5 * MINUTE);
      expect(await g.acquireAction('restart', 'i-1', 'e6', lots)).toMatchObject({
        allowed: false,
        limit: 'per-resource',
        reason: 'restart has acted on i-1 2 times within 3600 s',
      });
      // The window slides: the first action's slot is free an hour after it, not at the top of the hour.
      time.advance(HOUR - 10 * MINUTE);
      expect((await g.acquireAction('restart', 'i-1', 'e7', lots)).allowed).toBe(true);
    });

    it('gives back the cooldown and resource slot when the runbook’s own limit refuses', async () => {
      const { guard: g, time } = await guard();
      const one = { ...limits, perRunbook: { max: 1, windowMs: 10 * MINUTE } };
      expect((await g.acquireAction('restart', 'i-1', 'e1', one)).allowed).toBe(true);
      expect(await g.acquireAction('restart', 'i-2', 'e2', one)).toMatchObject({ limit: 'per-runbook' });
      time.advance(10 * MINUTE);
      // i-2 was never acted on: no cooldown holds it back.
      expect((await g.acquireAction('restart', 'i-2', 'e3', one)).allowed).toBe(true);
    });

    it('gives back the window slots of an action that never ran (approval refused), keeping its cooldown', async () => {
      const { guard: g, time } = await guard();
      const once = {
        ...limits,
        cooldownMs: 30 * MINUTE,
        perResource: { max: 1, windowMs: 6 * HOUR },
        perRunbook: { max: 1, windowMs: 6 * HOUR },
      };
      expect((await g.acquireAction('failover', 'dns', 'asked', once)).allowed).toBe(true);
      await g.releaseUnusedAction('failover', 'dns', 'asked');
      // Another resource may be acted on at once: the runbook's only slot is free again.
      expect((await g.acquireAction('failover', 'other', 'e2', once)).allowed).toBe(true);
      await g.releaseUnusedAction('failover', 'other', 'e2');
      // The same resource only after its cooldown, not six hours later.
      expect(await g.acquireAction('failover', 'dns', 'e3', once)).toMatchObject({ limit: 'cooldown' });
      time.advance(30 * MINUTE);
      expect((await g.acquireAction('failover', 'dns', 'e4', once)).allowed).toBe(true);
      // Someone else's slots are not its to give back.
      await g.releaseUnusedAction('failover', 'dns', 'asked');
      time.advance(30 * MINUTE);
      expect(await g.acquireAction('failover', 'other', 'e5', once)).toMatchObject({ limit: 'per-runbook' });
    });

    it('lets a retried step keep its permit instead of using up another', async () => {
      const { guard: g } = await guard();
      const two = { ...limits, cooldownMs: 0, perRunbook: { max: 2, windowMs: HOUR } };
      expect((await g.acquireAction('restart', 'i-1', 'e1', two)).allowed).toBe(true);
      expect((await g.acquireAction('restart', 'i-1', 'e1', two)).allowed).toBe(true);
      expect((await g.acquireAction('restart', 'i-2', 'e2', two)).allowed).toBe(true);
      expect((await g.acquireAction('restart', 'i-3', 'e3', two)).allowed).toBe(false);
    });
  });

  describe('the circuit breaker', () => {
    it('opens after N failures within the window, then lets exactly one trial through when half-open', async () => {
      const { guard: g, time } = await guard();
      const b = g.breaker;
      expect(await b.check('restart', 'e0', limits.breaker)).toEqual({ allowed: true, trial: false });
      await b.record('restart', 'e1', false, limits.breaker);
      await b.record('restart', 'e2', false, limits.breaker);
      expect((await b.state('restart')).state).toBe('closed');
      expect(await b.record('restart', 'e3', false, limits.breaker)).toEqual({
        state: 'open',
        openUntil: time.ms + 30 * MINUTE,
      });
      expect(await b.check('restart', 'e4', limits.breaker)).toMatchObject({
        allowed: false,
        reason: 'the circuit breaker of restart is open until 2026-01-05T09:30:00.000Z',
      });
      time.advance(30 * MINUTE);
      const verdicts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => b.check('restart', `t-${i}`, limits.breaker)),
      );
      expect(verdicts.filter((v) => v.allowed)).toEqual([{ allowed: true, trial: true }]);
      expect(verdicts.filter((v) => !v.allowed)).toHaveLength(19);
      const trial = `t-${verdicts.findIndex((v) => v.allowed)}`;
      expect(await b.check('restart', trial, limits.breaker)).toEqual({ allowed: true, trial: true });
      // The trial succeeds: closed, and the failures before it are forgotten.
      expect(await b.record('restart', trial, true, limits.breaker)).toEqual({ state: 'closed' });
      await b.record('restart', 'e5', false, limits.breaker);
      expect((await b.state('restart')).state).toBe('closed');
    });

    it('opens again when the trial fails, and gives a silent trial’s turn to another after the timeout', async () => {
      const { guard: g, time } = await guard();
      const b = g.breaker;
      const once = { failures: 1, windowMs: HOUR, halfOpenAfterMs: 10 * MINUTE };
      expect((await b.record('failover', 'e1', false, once)).state).toBe('open');
      time.advance(10 * MINUTE);
      expect((await b.check('failover', 'trial-1', once)).allowed).toBe(true);
      expect(await b.record('failover', 'trial-1', false, once)).toEqual({
        state: 'open',
        openUntil: time.ms + 10 * MINUTE,
      });
      time.advance(10 * MINUTE);
      expect((await b.check('failover', 'trial-2', once)).allowed).toBe(true);
      expect((await b.check('failover', 'trial-3', once)).allowed).toBe(false);
      time.advance(10 * MINUTE);
      expect(await b.check('failover', 'trial-3', once)).toEqual({ allowed: true, trial: true });
    });

    it('counts failures only within the window', async () => {
      const { guard: g, time } = await guard();
      const b = g.breaker;
      await b.record('restart', 'e1', false, limits.breaker);
      await b.record('restart', 'e2', false, limits.breaker);
      time.advance(HOUR);
      expect((await b.record('restart', 'e3', false, limits.breaker)).state).toBe('closed');
    });

    it('opens once under concurrent failures', async () => {
      const { guard: g, time } = await guard();
      const b = g.breaker;
      const states = await Promise.all(
        Array.from({ length: 30 }, (_, i) => b.record('restart', `e${i}`, false, limits.breaker)),
      );
      // Those that counted before the third may have seen it closed; it opened once, at the third.
      expect(states.filter((s) => s.state === 'closed').length).toBeLessThanOrEqual(2);
      expect(await b.state('restart')).toEqual({ state: 'open', openUntil: time.ms + 30 * MINUTE });
    });
  });
});
