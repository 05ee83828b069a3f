import { z } from 'zod';
import type { VirtualClock } from '../../clock.ts';
import type { RandomStream } from '../../rng.ts';
import { notFoundError, parseWire, validationError } from './errors.ts';
import { newId } from './ids.ts';
import { type ExperimentRecord, TERMINAL_EXPERIMENT_STATUSES } from './model.ts';
import { paginate } from './paging.ts';
import type { ExperimentRunner } from './runner.ts';
import type { FisStore } from './store.ts';
import type { TemplateOps } from './templates.ts';
import { experimentSummaryView, experimentView, resolvedTargetView } from './views.ts';

const startInput = z.object({
  clientToken: z.string().min(1).max(1024),
  experimentTemplateId: z.string().min(1).max(64),
  tags: z.record(z.string(), z.string()).optional(),
  // Newer FIS APIs take experimentOptions here (the pinned client 3.523.0 cannot send it yet).
  experimentOptions: z.object({ actionsMode: z.enum(['run-all', 'skip-all']).optional() }).optional(),
});

export interface ExperimentOpsDeps {
  clock: VirtualClock;
  ids: RandomStream;
  arnPrefix: string;
}

/** StartExperiment, GetExperiment, StopExperiment, ListExperiments, ListExperimentResolvedTargets. */
export class ExperimentOps {
  private readonly store: FisStore;
  private readonly templates: TemplateOps;
  private readonly runner: ExperimentRunner;
  private readonly deps: ExperimentOpsDeps;

  constructor(store: FisStore, templates: TemplateOps, runner: ExperimentRunner, deps: ExperimentOpsDeps) {
    this.store = store;
    this.templates = templates;
    this.runner = runner;
    this.deps = deps;
  }

  /** Snapshots the template and hands the experiment to the runner; a retried clientToken gets the same experiment. */
  start(raw: unknown): unknown {
    const input = parseWire(startInput, raw);
    const earlier = this.store.experimentTokens.get(input.clientToken);
    const existing = earlier ? this.store.experiments.get(earlier) : undefined;
    if (existing) return { experiment: experimentView(existing) };
    const t = this.templates.require(input.experimentTemplateId);
    const id = newId('EXP', this.deps.ids, (x) => this.store.experiments.has(x));
    const now = this.deps.clock.now();
    const exp: ExperimentRecord = {
      id,
      arn: `${this.deps.arnPrefix}experiment/${id}`,
      experimentTemplateId: t.id,
      roleArn: t.roleArn,
      state: { status: 'pending', reason: 'Experiment is pending.' },
      targets: structuredClone(t.targets),
      actions: Object.fromEntries(
        Object.entries(t.actions).map(([name, a]) => [
          name,
          { ...structuredClone(a), state: { status: 'pending', reason: 'Initial state.' } },
        ]),
      ),
      stopConditions: structuredClone(t.stopConditions),
      creationTime: now,
      startTime: now,
      tags: input.tags ?? {},
      ...(t.logConfiguration ? { logConfiguration: structuredClone(t.logConfiguration) } : {}),
      experimentOptions: {
        ...t.experimentOptions,
        actionsMode: input.experimentOptions?.actionsMode ?? 'run-all',
      },
      resolvedTargets: [],
    };
    this.store.experiments.set(id, exp);
    this.store.experimentTokens.set(input.clientToken, id);
    this.runner.begin(exp);
    return { experiment: experimentView(exp) };
  }

  get(id: string): unknown {
    return { experiment: experimentView(this.require(id)) };
  }

  stop(id: string): unknown {
    const exp = this.require(id);
    if (TERMINAL_EXPERIMENT_STATUSES.has(exp.state.status)) {
      throw validationError(`Experiment ${id} is already ${exp.state.status} and cannot be stopped.`);
    }
    this.runner.stop(exp, 'Experiment stopped by user request.');
    return { experiment: experimentView(exp) };
  }

  /** Oldest first; `experimentTemplateId` narrows the list as in newer FIS APIs. */
  list(query: URLSearchParams): unknown {
    const templateId = query.get('experimentTemplateId');
    const all = [...this.store.experiments.values()].filter(
      (e) => templateId === null || e.experimentTemplateId === templateId,
    );
    const { page, nextToken } = paginate(all, query, `experiments:${templateId ?? ''}`);
    return { experiments: page.map(experimentSummaryView), nextToken };
  }

  resolvedTargets(id: string, query: URLSearchParams): unknown {
    const exp = this.require(id);
    const targetName = query.get('targetName');
    if (targetName !== null && !exp.targets[targetName]) {
      throw validationError(`'targetName' ${targetName} is not a target of experiment ${id}`);
    }
    const all = exp.resolvedTargets.filter((r) => targetName === null || r.targetName === targetName);
    const { page, nextToken } = paginate(all, query, `resolvedTargets:${id}:${targetName ?? ''}`);
    return { resolvedTargets: page.map(resolvedTargetView), nextToken };
  }

  private require(id: string): ExperimentRecord {
    const exp = this.store.experiments.get(id);
    if (!exp) throw notFoundError(`Experiment ${id} not found.`);
    return exp;
  }
}
