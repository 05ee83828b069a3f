import { type Experiment, type FisClient, ListExperimentResolvedTargetsCommand } from '@aws-sdk/client-fis';
import { awsCall } from '../aws/errors.ts';
import { readKillSwitch } from '../observe/kill-switch.ts';
import { MINUTE_MS } from '../observe/metric-query.ts';
import type * as z from '../zod.ts';
import type { GameDayDeps } from './deps.ts';
import { getExperiment, isTerminal } from './fis-experiments.ts';
import { abortBoundCrossed, maxDurationExceeded, type StopDecision } from './guardrails.ts';
import { holdsLease, takeLease } from './lease.ts';
import { eventIds, type GameDayTimeline } from './record.ts';
import { recordExperiment } from './record-experiment.ts';
import type { GameDayState, observationResult } from './state.ts';
import { gameDayStep } from './step.ts';
import { previousWatch, watchWorld } from './watch.ts';

export type ObservationResult = z.infer<typeof observationResult>;

/** Which resources each target resolved to, once FIS has resolved them. */
async function recordTargets(fis: FisClient, timeline: GameDayTimeline, exp: Experiment, seen: Date) {
  const byTarget = new Map<string, { type: string; resources: string[] }>();
  let nextToken: string | undefined;
  do {
    const page = await awsCall('list resolved targets', () =>
      fis.send(
        new ListExperimentResolvedTargetsCommand({ experimentId: exp.id!, maxResults: 100, nextToken }),
      ),
    );
    for (const t of page.resolvedTargets ?? []) {
      const name = t.targetName ?? '(unnamed)';
      const entry = byTarget.get(name) ?? { type: t.resourceType ?? '', resources: [] };
      const arn = t.targetInformation?.arn;
      if (arn) entry.resources.push(arn);
      byTarget.set(name, entry);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  for (const [target, { type, resources }] of byTarget) {
    await timeline.record('fis.targets', {
      eventId: eventIds.targets(exp.id!, target),
      occurredAt: exp.startTime ?? seen,
      summary: `FIS target ${target} resolved to ${resources.length} ${type} resource(s)`,
      detail: { experimentId: exp.id!, target, resourceType: type, resources },
    });
  }
}

async function stopDecision(
  state: GameDayState,
  deps: GameDayDeps<'ssm' | 'cloudwatch'>,
  startedAt: Date,
  now: Date,
): Promise<StopDecision | undefined> {
  const killSwitch = await readKillSwitch(deps.aws.ssm, deps.env.killSwitchParameter);
  if (killSwitch.engaged) return { code: 'kill-switch', reason: killSwitch.detail };
  return (
    maxDurationExceeded(state.experiment, startedAt, now) ??
    (await abortBoundCrossed(deps.aws.cloudwatch, state.experiment, now))
  );
}

/**
 * Observe, every minute while the fault runs: the experiment's and its actions' states (and, once,
 * the resources its targets resolved to), then the world (alarm transitions, health checks, one
 * metrics sample per minute), then the guardrails: kill switch, maximum duration, abort bounds.
 * A tripped guardrail asks the state machine to stop the experiment.
 */
export const observe = gameDayStep<GameDayState, ObservationResult, 'fis' | 'ssm' | 'cloudwatch' | 'route53'>(
  {
    // After a stop request the same function waits for the experiment to end.
    step: (s) => (s.stop ? 'ObserveStopping' : 'Observe'),
    iteration: (s) => (s.observation?.sequence ?? 0) + 1,
  },
  async (state, deps, { timeline }) => {
    const run = state.experimentRun;
    if (!run) throw new Error('Observe: the state has no experiment run (experimentRun.experimentId)');
    const now = deps.now();
    if (holdsLease(state)) await takeLease(deps.safety, state.experiment.service, state.gamedayId);
    const exp = await getExperiment(deps.aws.fis, run.experimentId);
    const status = exp.state?.status ?? 'unknown';
    await recordExperiment(timeline, exp, now);
    let targetsRecorded = state.observation?.targetsRecorded ?? false;
    if (!targetsRecorded && status !== 'pending' && status !== 'initiating') {
      await recordTargets(deps.aws.fis, timeline, exp, now);
      targetsRecorded = true;
    }
    const watch = await watchWorld(deps.aws, timeline, state.experiment, previousWatch(state), {
      since: new Date(state.incident?.openedAt ?? run.startedAt),
      now,
    });
    const terminal = isTerminal(status);
    const startedAt = new Date(run.startedAt);
    const stop = terminal || state.stop ? undefined : await stopDecision(state, deps, startedAt, now);
    if (stop) {
      await timeline.record('gameday.stop-requested', {
        eventId: eventIds.stopRequested(stop.code),
        occurredAt: now,
        summary: `stop requested: ${stop.reason}`,
        detail: { reason: stop.reason, code: stop.code },
      });
    }
    return {
      minute: Math.floor((now.getTime() - startedAt.getTime()) / MINUTE_MS),
      at: now.toISOString(),
      experimentStatus: status,
      experimentTerminal: terminal,
      stopRequired: stop !== undefined,
      ...(stop ? { stopReason: stop.reason } : {}),
      sequence: (state.observation?.sequence ?? 0) + 1,
      targetsRecorded,
      watch,
    };
  },
);
