import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ExperimentSpec } from '../experiments/schema.ts';
import { describeAlarmStates } from '../observe/alarms.ts';
import { evaluateSteadyState } from '../observe/steady-state.ts';
import { parseIsoDuration } from '../time/duration.ts';
import type * as z from '../zod.ts';
import { getExperiment } from './fis-experiments.ts';
import { eventIds } from './record.ts';
import type { GameDayState, recoveryResult, WatchState } from './state.ts';
import { gameDayStep } from './step.ts';
import { previousWatch, watchWorld } from './watch.ts';

export type RecoveryResult = z.infer<typeof recoveryResult>;

/**
 * The verification loop's rule: recovery must be seen by fault end + RTO (impact + RTO when the
 * RTO runs from the impact). Leave the loop when the steady state is back, or when the deadline
 * has passed without it.
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
 * VerifyRecovery, every minute after the fault ended: the steady-state hypothesis again (the same
 * evaluation preflight made), and the world watched as during the fault. When recovered, the
 * incident is resolved; when the RTO runs out first, it stays open for people to pick up.
 */
export const verifyRecovery = gameDayStep<GameDayState, RecoveryResult, 'fis' | 'cloudwatch' | 'route53'>(
  { step: 'VerifyRecovery', iteration: (s) => (s.recovery?.sequence ?? 0) + 1 },
  async (state, deps, { timeline }) => {
    const now = deps.now();
    const spec = state.experiment;
    const fromImpact = spec.objectives.rtoFrom === 'impact';
    let faultEndedAt = state.recovery?.faultEndedAt;
    let impactAt = state.recovery?.impactAt;
    if ((!faultEndedAt || (fromImpact && !impactAt)) && state.experimentRun) {
      const exp = await getExperiment(deps.aws.fis, state.experimentRun.experimentId);
      faultEndedAt ??= exp.endTime?.toISOString();
      if (fromImpact) impactAt ??= firstActionStart(exp);
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
      ...(impactAt ? { impactAt: new Date(impactAt) } : {}),
      rtoMs: parseIsoDuration(spec.objectives.rto)!,
      now,
    });
    const recoveredAt = !recovered
      ? undefined
      : fromImpact && impactAt
        ? (
            await steadySince(deps.aws.cloudwatch, spec.hypothesis, watch, new Date(impactAt), now)
          ).toISOString()
        : now.toISOString();
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
      ...(impactAt ? { impactAt } : {}),
      ...(recoveredAt ? { recoveredAt } : {}),
      deadline: deadline.toISOString(),
      checks: steady.checks,
      sequence: (state.recovery?.sequence ?? 0) + 1,
      watch,
    };
  },
);

/** When the fault was injected: the first of the experiment's actions to start (undefined before any did). */
function firstActionStart(exp: Awaited<ReturnType<typeof getExperiment>>): string | undefined {
  const starts = Object.values(exp.actions ?? {})
    .map((a) => a.startTime?.getTime())
    .filter((t): t is number => t !== undefined);
  return starts.length > 0 ? new Date(Math.min(...starts)).toISOString() : undefined;
}

/**
 * When the steady state that holds now came back, for an RTO that runs from the impact: recovery
 * is then expected while the disaster lasts, and this step only looks once it is over. It is the
 * latest return since the impact of the hypothesis's alarms (their StateUpdatedTimestamp) and
 * health checks (the minute the watch saw them healthy again); the impact itself when none of them
 * left its steady state. Metric bounds keep no such moment, so with any it is now.
 */
async function steadySince(
  cloudwatch: CloudWatchClient,
  hypothesis: ExperimentSpec['hypothesis'],
  watch: WatchState,
  impactAt: Date,
  now: Date,
): Promise<Date> {
  if (hypothesis.metrics.length > 0) return now;
  const alarms = await describeAlarmStates(cloudwatch, hypothesis.alarms);
  const returns = [
    ...[...alarms.values()].map((a) => a.since?.getTime()),
    ...Object.values(watch.healthChecks).map((h) => (h.since ? Date.parse(h.since) : undefined)),
  ].filter((t): t is number => t !== undefined && t >= impactAt.getTime());
  return new Date(Math.max(impactAt.getTime(), ...returns));
}
