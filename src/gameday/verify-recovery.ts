import type { FisClient } from '@aws-sdk/client-fis';
import { faultEndOf } from '../fis/fault-end.ts';
import { evaluateSteadyState } from '../observe/steady-state.ts';
import { parseIsoDuration } from '../time/duration.ts';
import type * as z from '../zod.ts';
import type { GameDayDeps } from './deps.ts';
import { getExperiment } from './fis-experiments.ts';
import { holdsLease, takeLease } from './lease.ts';
import { eventIds, type GameDayTimeline } from './record.ts';
import type { GameDayState, recoveryResult } from './state.ts';
import { gameDayStep } from './step.ts';
import { previousWatch, sampledUntil, watchWorld } from './watch.ts';

export type RecoveryResult = z.infer<typeof recoveryResult>;

/**
 * The verification loop's rule: recovery must be seen by fault end + RTO (impact + RTO with
 * `objectives.rtoFrom: impact`). Leave the loop when the steady state is back, or when the
 * deadline has passed without it.
 */
export function recoveryDecision(opts: {
  recovered: boolean;
  faultEndedAt: Date;
  /** Given when the RTO runs from the impact (`objectives.rtoFrom: impact`). */
  impactAt?: Date;
  rtoMs: number;
  now: Date;
}): { done: boolean; deadline: Date; withinRto: boolean } {
  const deadline = new Date((opts.impactAt ?? opts.faultEndedAt).getTime() + opts.rtoMs);
  const late = opts.now.getTime() > deadline.getTime();
  return { done: opts.recovered || late, deadline, withinRto: opts.recovered && !late };
}

/**
 * When the fault ended, as FIS tells it: the end of the last action that injected something (a
 * wait that holds the experiment open is not the fault), else the experiment's end. And when it
 * was injected: the first of those actions to start (undefined before any did).
 */
async function faultSpan(
  fis: FisClient,
  experimentId: string,
): Promise<{ endedAt: string | undefined; impactAt: string | undefined }> {
  const exp = await getExperiment(fis, experimentId);
  const actions = Object.values(exp.actions ?? {}).map((a) => ({
    actionId: a.actionId ?? '',
    startedAt: a.startTime?.getTime() ?? null,
    endedAt: a.endTime?.getTime() ?? null,
    status: a.state?.status ?? null,
  }));
  const { startedAt, endedAt } = faultEndOf(actions);
  return {
    endedAt: endedAt !== null ? new Date(endedAt).toISOString() : exp.endTime?.toISOString(),
    impactAt: startedAt !== null ? new Date(startedAt).toISOString() : undefined,
  };
}

/**
 * VerifyRecovery, every minute after the fault ended: the steady-state hypothesis again (the same
 * evaluation preflight made), and the world watched as during the fault. When recovered, the
 * incident is resolved; when the RTO runs out first, it stays open for people to pick up. This
 * loop only decides when to stop looking: when the steady state came back is the report's to
 * read from the events (an alarm's return to OK, a metric's minute), not this poll's time.
 *
 * Then LastMinutes (the same function, once the verification is done): the minutes up to
 * the verification's end, which CloudWatch publishes after they end (a minute at the earliest),
 * so that the report shows the service up to the incident's close.
 */
export const verifyRecovery = gameDayStep<GameDayState, RecoveryResult, 'fis' | 'cloudwatch' | 'route53'>(
  {
    step: (s) => (s.recovery?.done ? 'LastMinutes' : 'VerifyRecovery'),
    iteration: (s) => (s.recovery?.sequence ?? 0) + 1,
  },
  async (state, deps, { timeline }) => {
    const now = deps.now();
    const spec = state.experiment;
    if (holdsLease(state)) await takeLease(deps.safety, spec.service, state.gamedayId);
    const since = new Date(state.incident?.openedAt ?? now.toISOString());
    const done = state.recovery?.done ? state.recovery : undefined;
    if (done) return recordLastMinutes(state, done, deps, timeline, since, now);
    const fromImpact = spec.objectives.rtoFrom === 'impact';
    let faultEndedAt = state.recovery?.faultEndedAt;
    let impactAt = state.recovery?.impactAt;
    if ((!faultEndedAt || (fromImpact && !impactAt)) && state.experimentRun) {
      const span = await faultSpan(deps.aws.fis, state.experimentRun.experimentId);
      faultEndedAt ??= span.endedAt;
      if (fromImpact) impactAt ??= span.impactAt;
    }
    // No end time (nothing was injected, or FIS has not said): the clock starts at the first look.
    faultEndedAt ??= now.toISOString();
    const steady = await evaluateSteadyState(spec.hypothesis, deps.aws, now);
    const watch = await watchWorld(deps.aws, timeline, spec, previousWatch(state), { since, now });
    const recovered = steady.checks.every((c) => c.ok);
    const decision = recoveryDecision({
      recovered,
      faultEndedAt: new Date(faultEndedAt),
      ...(impactAt ? { impactAt: new Date(impactAt) } : {}),
      rtoMs: parseIsoDuration(spec.objectives.rto)!,
      now,
    });
    const deadline = decision.deadline.toISOString();
    if (decision.done) {
      const failing = steady.checks.filter((c) => !c.ok).map((c) => c.detail);
      await timeline.record('gameday.recovery', {
        eventId: eventIds.recovery(recovered),
        occurredAt: now,
        summary: recovered
          ? `steady state verified back; recovery deadline ${deadline}`
          : `steady state not back by the deadline ${deadline}: ${failing.join('; ')}`,
        detail: { recovered, deadline, faultEndedAt, checks: steady.checks },
      });
      if (recovered) {
        await deps.store.updateIncident(state.gamedayId, { status: 'resolved', closedAt: now.toISOString() });
      }
    }
    return {
      done: decision.done,
      recovered,
      faultEndedAt,
      ...(impactAt ? { impactAt } : {}),
      deadline,
      checks: steady.checks,
      sequence: (state.recovery?.sequence ?? 0) + 1,
      ...(decision.done ? { endedAt: now.toISOString() } : {}),
      minutesComplete: decision.done && sampledUntil(watch, now),
      watch,
    };
  },
);

/** Samples the minutes up to the verification's end that have come in since; complete once all have. */
async function recordLastMinutes(
  state: GameDayState,
  done: RecoveryResult,
  deps: GameDayDeps<'cloudwatch' | 'route53'>,
  timeline: GameDayTimeline,
  since: Date,
  now: Date,
): Promise<RecoveryResult> {
  const until = new Date(done.endedAt ?? now.toISOString());
  const watch = await watchWorld(deps.aws, timeline, state.experiment, previousWatch(state), {
    since,
    now,
    until,
  });
  return {
    ...done,
    sequence: (done.sequence ?? 0) + 1,
    minutesComplete: sampledUntil(watch, until),
    watch,
  };
}
