import type { SandboxCore } from '../context.ts';
import { restJsonProtocol } from '../protocol/rest-json.ts';
import { ExperimentOps } from './fis/experiments.ts';
import type { ExperimentRecord } from './fis/model.ts';
import { fisRoutes } from './fis/routes.ts';
import { ExperimentRunner } from './fis/runner.ts';
import { FisStore } from './fis/store.ts';
import { TemplateOps } from './fis/templates.ts';
import type { SandboxService } from './service.ts';

/** The FIS service plus read access for in-process code (game-day timelines, tests). */
export interface FisService extends SandboxService {
  /** An experiment as FIS keeps it, resolved targets included; undefined when there is no such experiment. */
  experiment(id: string): Readonly<ExperimentRecord> | undefined;
}

/**
 * AWS Fault Injection Service: experiment templates validated as FIS validates them, and
 * experiments run on the virtual clock against the simulated world.
 */
export function createFISService(core: SandboxCore): FisService {
  const { clock, world, bus, alarms } = core;
  const arnPrefix = `arn:aws:fis:${world.region}:${world.accountId}:`;
  const store = new FisStore();
  const ids = core.rng.stream('fis.ids');
  const runner = new ExperimentRunner({
    clock,
    world,
    bus,
    alarms,
    rng: core.rng.stream('fis'),
    links: core.links,
  });
  const templates = new TemplateOps(store, {
    clock,
    ids,
    arnPrefix,
    alarmExists: (arn) => alarms.stateOf(arn) !== undefined,
  });
  const experiments = new ExperimentOps(store, templates, runner, { clock, ids, arnPrefix });
  let watching = false;
  return {
    signingName: 'fis',
    handler: restJsonProtocol(fisRoutes(store, templates, experiments)),
    save: () => store.snapshot(),
    restore: (state, { savedAt }) => store.load(state, savedAt),
    start() {
      if (watching) return;
      watching = true;
      runner.watchStopConditions(() => store.experiments.values());
    },
    experiment: (id) => store.experiments.get(id),
  };
}
