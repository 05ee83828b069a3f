import { StartExperimentCommand } from '@aws-sdk/client-fis';
import { awsCall } from '../aws/errors.ts';
import { sendActionsMode } from '../fis/wire-extensions.ts';
import type * as z from '../zod.ts';
import { TAG } from './fis-experiments.ts';
import { eventIds } from './record.ts';
import type { experimentResult, GameDayState } from './state.ts';
import { gameDayStep } from './step.ts';

export type ExperimentRunResult = z.infer<typeof experimentResult>;

/**
 * StartExperiment: the game day id is the client token, so a retried start (or a duplicate
 * execution) gets the same experiment back. The experiment is tagged with the game day, service
 * and experiment, which is how the emergency stop and other game days' preflights find it. A dry
 * run asks FIS to resolve the targets and skip every action.
 */
export const startExperiment = gameDayStep<GameDayState, ExperimentRunResult, 'fis'>(
  { step: 'StartExperiment' },
  async (state, deps, { timeline }) => {
    const templateId = state.template?.templateId;
    if (!templateId) throw new Error('StartExperiment: the state has no template (template.templateId)');
    const command = new StartExperimentCommand({
      clientToken: state.gamedayId,
      experimentTemplateId: templateId,
      tags: {
        [TAG.gameday]: state.gamedayId,
        [TAG.service]: state.experiment.service,
        [TAG.experiment]: state.experiment.name,
      },
    });
    if (state.dryRun) sendActionsMode(command, 'skip-all');
    const out = await awsCall('start experiment', () => deps.aws.fis.send(command));
    const exp = out.experiment;
    if (!exp?.id) throw new Error('FIS started no experiment (no id in the answer)');
    const status = exp.state?.status ?? 'pending';
    const startedAt = exp.startTime ?? exp.creationTime ?? deps.now();
    await timeline.record('fis.experiment', {
      eventId: eventIds.experiment(exp.id, status),
      occurredAt: startedAt,
      summary: `FIS experiment ${exp.id} ${status}${state.dryRun ? ' (dry run: actions skipped)' : ''}`,
      detail: { experimentId: exp.id, status, ...(exp.state?.reason ? { reason: exp.state.reason } : {}) },
    });
    return { experimentId: exp.id, startedAt: startedAt.toISOString() };
  },
);
