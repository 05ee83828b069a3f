import {
  type ExperimentSummary,
  type FisClient,
  ListExperimentsCommand,
  StopExperimentCommand,
  ValidationException,
} from '@aws-sdk/client-fis';
import { awsCall } from '../aws/errors.ts';
import { getExperiment } from '../observe/experiment-status.ts';

/** The tags faultline puts on the experiments it starts. */
export const TAG = {
  gameday: 'faultline:gameday',
  service: 'faultline:service',
  experiment: 'faultline:experiment',
} as const;

const TERMINAL = new Set(['completed', 'stopped', 'failed', 'cancelled']);
const ACTIVE = new Set(['pending', 'initiating', 'running', 'stopping']);

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL.has(status);
}

/** Every experiment FIS lists, paged, optionally narrowed by a predicate. */
export async function listExperiments(
  fis: FisClient,
  keep: (e: ExperimentSummary) => boolean = () => true,
): Promise<ExperimentSummary[]> {
  const out: ExperimentSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('list experiments', () =>
      fis.send(new ListExperimentsCommand({ maxResults: 100, nextToken })),
    );
    out.push(...(page.experiments ?? []).filter(keep));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Experiments not yet finished whose tag `key` is `value`. */
export function activeTagged(fis: FisClient, key: string, value: string): Promise<ExperimentSummary[]> {
  return listExperiments(fis, (e) => ACTIVE.has(e.state?.status ?? '') && e.tags?.[key] === value);
}

export { getExperiment };

/**
 * Stops an experiment unless it has already ended. Returns the status FIS reports after the
 * request (`stopping`), or the terminal status it had: ending is the goal, not the call.
 */
export async function stopUnlessTerminal(
  fis: FisClient,
  id: string,
): Promise<{ stopped: boolean; status: string }> {
  const before = await getExperiment(fis, id);
  if (isTerminal(before.state?.status)) return { stopped: false, status: before.state!.status! };
  // Already on its way down (an earlier pass of the emergency path asked): asking again adds nothing.
  if (before.state?.status === 'stopping') return { stopped: true, status: 'stopping' };
  try {
    const out = await awsCall(`stop experiment ${id}`, () => fis.send(new StopExperimentCommand({ id })));
    return { stopped: true, status: out.experiment?.state?.status ?? 'stopping' };
  } catch (e) {
    // It ended between the two calls: FIS refuses to stop a finished experiment.
    if (e instanceof ValidationException) {
      const after = await getExperiment(fis, id);
      if (isTerminal(after.state?.status)) return { stopped: false, status: after.state!.status! };
    }
    throw e;
  }
}
