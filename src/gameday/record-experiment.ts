import type { Experiment } from '@aws-sdk/client-fis';
import { isTerminal } from './fis-experiments.ts';
import { eventIds, type GameDayTimeline } from './record.ts';

/**
 * When a status began, as well as FIS tells: an experiment runs from its first action's start and
 * ends at its end time; an action likewise. Otherwise the moment it was seen.
 */
function statusTime(status: string, start: Date | undefined, end: Date | undefined, seen: Date): Date {
  if (isTerminal(status) || status === 'skipped') return end ?? seen;
  if (status === 'running') return start ?? seen;
  return seen;
}

/** A status seen now, preceded by `running` when FIS's start time shows it ran before we looked. */
function statusesSeen(status: string, start: Date | undefined): string[] {
  return start !== undefined && status !== 'running' && status !== 'skipped' && status !== 'pending'
    ? ['running', status]
    : [status];
}

/**
 * The experiment's and its actions' states, in the order they happen at one instant (the timeline
 * orders the facts of one millisecond as they are recorded): the experiment running, then its
 * actions, then its end.
 */
export async function recordExperiment(
  timeline: GameDayTimeline,
  exp: Experiment,
  seen: Date,
): Promise<void> {
  const id = exp.id!;
  const actions = Object.entries(exp.actions ?? {});
  const firstActionStart = actions
    .map(([, a]) => a.startTime)
    .filter((t): t is Date => t !== undefined)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  // A short fault may start and end between two observations: its start still belongs on the timeline.
  const statuses = statusesSeen(exp.state?.status ?? 'unknown', firstActionStart);
  const recordStatus = async (status: string) => {
    const reason = status === exp.state?.status ? exp.state?.reason : undefined;
    await timeline.record('fis.experiment', {
      eventId: eventIds.experiment(id, status),
      occurredAt: statusTime(status, firstActionStart, exp.endTime, seen),
      summary: `FIS experiment ${id} ${status}${reason ? `: ${reason}` : ''}`,
      detail: { experimentId: id, status, ...(reason ? { reason } : {}) },
    });
  };
  for (const status of statuses) if (!isTerminal(status)) await recordStatus(status);
  for (const [name, a] of actions) {
    // Every action starts out pending; only what it did next is news.
    if (a.state?.status === 'pending') continue;
    for (const status of statusesSeen(a.state?.status ?? 'unknown', a.startTime)) {
      const reason = status === a.state?.status ? a.state?.reason : undefined;
      await timeline.record('fis.action', {
        eventId: eventIds.action(id, name, status),
        occurredAt: statusTime(status, a.startTime, a.endTime, seen),
        summary: `FIS action ${name} (${a.actionId}) ${status}${reason ? `: ${reason}` : ''}`,
        detail: {
          experimentId: id,
          action: name,
          actionId: a.actionId ?? '',
          status,
          ...(reason ? { reason } : {}),
        },
      });
    }
  }
  for (const status of statuses) if (isTerminal(status)) await recordStatus(status);
}
