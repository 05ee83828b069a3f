import { evaluateSteadyState } from '../observe/steady-state.ts';
import { parseIsoDuration } from '../time/duration.ts';
import type * as z from '../zod.ts';
import { getExperiment } from './fis-experiments.ts';
import { holdsLease, takeLease } from './lease.ts';
import { eventIds } from './record.ts';
import type { GameDayState, recoveryResult } from './state.ts';
import { gameDayStep } from './step.ts';
import { previousWatch, watchWorld } from './watch.ts';

export type RecoveryResult = z.infer<typeof recoveryResult>;

/**
 * The verification loop's rule: recovery must be seen by fault end + RTO. Leave the loop when the
 * steady state is back, or when the deadline has passed without it.
 */
export function recoveryDecision(opts: {
  recovered: boolean;
  faultEndedAt: Date;
  rtoMs: number;
  now: Date;
}): { done: boolean; deadline: Date; withinRto: boolean } {
  const deadline = new Date(opts.faultEndedAt.getTime() + opts.rtoMs);
  const late = opts.now.getTime() > deadline.getTime();
  return { done: opts.recovered || late, deadline, withinRto: opts.recovered && !late };
}

/**
 * VerifyRecovery, every minute after the fault ended: the steady-state hypothesis again (the same
 * evaluation preflight made), and the world watched as during the fault. When recovered, the
 * incident is resolved; when the RTO runs out first, it stays open for people to pick up.
 */
export const verifyRecovery = gameDayStep<GameDayState, RecoveryResult, 'fis' | 'cloudwatch' | 'route53'>(
  { step: 'VerifyRecovery', iteration: (s) => (s.recovery?.sequence ?? 0) + 1 },
  async (state, deps, { timeline }) => {
    const now = deps.now();
    const spec = state.experiment;
    if (holdsLease(state)) await takeLease(deps.safety, spec.service, state.gamedayId);
    let faultEndedAt = state.recovery?.faultEndedAt;
    if (!faultEndedAt && state.experimentRun) {
      const exp = await getExperiment(deps.aws.fis, state.experimentRun.experimentId);
      faultEndedAt = exp.endTime?.toISOString();
    }
    // No end time (nothing was injected, or FIS has not said): the clock starts at the first look.
    faultEndedAt ??= now.toISOString();
    const steady = await evaluateSteadyState(spec.hypothesis, deps.aws, now);
    const watch = await watchWorld(deps.aws, timeline, spec, previousWatch(state), {
      since: new Date(state.incident?.openedAt ?? now.toISOString()),
      now,
    });
    const recovered = steady.checks.every((c) => c.ok);
    const { done, deadline } = recoveryDecision({
      recovered,
      faultEndedAt: new Date(faultEndedAt),
      rtoMs: parseIsoDuration(spec.objectives.rto)!,
      now,
    });
    const recoveredAt = recovered ? now.toISOString() : undefined;
    if (done) {
      const failing = steady.checks.filter((c) => !c.ok).map((c) => c.detail);
      await timeline.record('gameday.recovery', {
        eventId: eventIds.recovery(recovered),
        occurredAt: now,
        summary: recovered
          ? `steady state back; recovery deadline ${deadline.toISOString()}`
          : `steady state not back by the deadline ${deadline.toISOString()}: ${failing.join('; ')}`,
        detail: {
          recovered,
          deadline: deadline.toISOString(),
          faultEndedAt,
          ...(recoveredAt ? { recoveredAt } : {}),
          checks: steady.checks,
        },
      });
      if (recovered) {
        await deps.store.updateIncident(state.gamedayId, { status: 'resolved', closedAt: now.toISOString() });
      }
    }
    return {
      done,
      recovered,
      faultEndedAt,
      ...(recoveredAt ? { recoveredAt } : {}),
      deadline: deadline.toISOString(),
      checks: steady.checks,
      sequence: (state.recovery?.sequence ?? 0) + 1,
      watch,
    };
  },
);
