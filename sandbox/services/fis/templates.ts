import type { TemplateBody } from '../../../src/fis/template.ts';
import {
  cleanAction,
  cleanStopCondition,
  cleanTarget,
  createTemplateInput,
  mapValues,
  templateBodyOf,
  updateTemplateInput,
} from '../../../src/fis/template-input.ts';
import { findTemplateProblem } from '../../../src/fis/template-rules.ts';
import type { VirtualClock } from '../../clock.ts';
import type { RandomStream } from '../../rng.ts';
import { conflictError, notFoundError, parseWire, validationError } from './errors.ts';
import { newId } from './ids.ts';
import type { TemplateRecord } from './model.ts';
import { paginate } from './paging.ts';
import type { FisStore } from './store.ts';
import { SANDBOX_RUNTIME } from './support.ts';
import { templateSummaryView, templateView } from './views.ts';

export interface TemplateOpsDeps {
  /** Whether a CloudWatch alarm with this ARN exists (FIS checks stop-condition alarms up front). */
  alarmExists(arn: string): boolean;
  clock: VirtualClock;
  ids: RandomStream;
  /** `arn:aws:fis:<region>:<account>:` */
  arnPrefix: string;
}

/** CreateExperimentTemplate, GetExperimentTemplate, UpdateExperimentTemplate, DeleteExperimentTemplate, ListExperimentTemplates. */
export class TemplateOps {
  private readonly store: FisStore;
  private readonly deps: TemplateOpsDeps;

  constructor(store: FisStore, deps: TemplateOpsDeps) {
    this.store = store;
    this.deps = deps;
  }

  create(raw: unknown): unknown {
    const input = parseWire(createTemplateInput, raw);
    const { clientToken, ...request } = input;
    const fingerprint = JSON.stringify(request);
    const earlier = this.store.templateTokens.get(clientToken);
    if (earlier) {
      // A retry of the same request gets the same template back; reusing the token for another does not.
      if (earlier.fingerprint !== fingerprint) {
        throw conflictError(`The client token ${clientToken} was already used for a different request`);
      }
      const t = this.store.templates.get(earlier.id);
      if (t) return { experimentTemplate: templateView(t) };
    }
    const body = templateBodyOf(input);
    this.validate(body);
    const id = newId('EXT', this.deps.ids, (x) => this.store.templates.has(x));
    const now = this.deps.clock.now();
    const t: TemplateRecord = {
      ...body,
      id,
      arn: `${this.deps.arnPrefix}experiment-template/${id}`,
      creationTime: now,
      lastUpdateTime: now,
      tags: input.tags ?? {},
    };
    this.store.templates.set(id, t);
    this.store.templateTokens.set(clientToken, { id, fingerprint });
    return { experimentTemplate: templateView(t) };
  }

  get(id: string): unknown {
    return { experimentTemplate: templateView(this.require(id)) };
  }

  /** Each member given replaces the template's member as a whole; the result is validated before anything changes. */
  update(id: string, raw: unknown): unknown {
    const t = this.require(id);
    const input = parseWire(updateTemplateInput, raw);
    const body: TemplateBody = {
      description: input.description ?? t.description,
      targets: input.targets ? mapValues(input.targets, cleanTarget) : t.targets,
      actions: input.actions ? mapValues(input.actions, cleanAction) : t.actions,
      stopConditions: input.stopConditions ? input.stopConditions.map(cleanStopCondition) : t.stopConditions,
      roleArn: input.roleArn ?? t.roleArn,
      ...(input.logConfiguration
        ? { logConfiguration: input.logConfiguration }
        : t.logConfiguration
          ? { logConfiguration: t.logConfiguration }
          : {}),
      experimentOptions: {
        accountTargeting: t.experimentOptions.accountTargeting,
        emptyTargetResolutionMode:
          input.experimentOptions?.emptyTargetResolutionMode ?? t.experimentOptions.emptyTargetResolutionMode,
      },
    };
    this.validate(body);
    const updated: TemplateRecord = { ...t, ...body, lastUpdateTime: this.deps.clock.now() };
    this.store.templates.set(id, updated);
    return { experimentTemplate: templateView(updated) };
  }

  /** Experiments already started keep their own copy of the template and run on. */
  delete(id: string): unknown {
    const t = this.require(id);
    this.store.templates.delete(id);
    return { experimentTemplate: templateView(t) };
  }

  list(query: URLSearchParams): unknown {
    const { page, nextToken } = paginate([...this.store.templates.values()], query, 'experimentTemplates');
    return { experimentTemplates: page.map(templateSummaryView), nextToken };
  }

  /**
   * FIS's rules (src/fis/template-rules.ts) and what the sandbox models of them (support.ts); the
   * most telling problem is the ValidationException.
   */
  private validate(body: TemplateBody): void {
    const problem = findTemplateProblem(body, {
      alarmExists: this.deps.alarmExists,
      runtime: SANDBOX_RUNTIME,
    });
    if (problem) throw validationError(problem.fisMessage);
  }

  require(id: string): TemplateRecord {
    const t = this.store.templates.get(id);
    if (!t) throw notFoundError(`Experiment template ${id} not found.`);
    return t;
  }
}
