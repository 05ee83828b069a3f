import type {
  StopCondition,
  TemplateAction,
  TemplateBody,
  TemplateOptions,
  TemplateTarget,
} from '../../../src/fis/template.ts';

/**
 * FIS's resources as the sandbox keeps them: plain JSON (times in epoch milliseconds) so that
 * `save()` can write them and `restore()` read them back unchanged. A template's content is the
 * shared FIS model (src/fis/template.ts), the one the validation rules check.
 */

export type ExperimentStatus =
  | 'pending'
  | 'initiating'
  | 'running'
  | 'completed'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'cancelled';

export type ActionStatus =
  | 'pending'
  | 'initiating'
  | 'running'
  | 'completed'
  | 'cancelled'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'skipped';

export const TERMINAL_EXPERIMENT_STATUSES: ReadonlySet<ExperimentStatus> = new Set([
  'completed',
  'stopped',
  'failed',
  'cancelled',
]);

export interface TemplateRecord extends TemplateBody {
  id: string;
  arn: string;
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
}

export interface ExperimentActionRecord extends TemplateAction {
  state: { status: ActionStatus; reason: string };
  startTime?: number;
  endTime?: number;
}

/** One resource a target resolved to when the experiment started. */
export interface ResolvedResource {
  targetName: string;
  resourceType: string;
  id: string;
  arn: string;
}

export interface ExperimentRecord {
  id: string;
  arn: string;
  experimentTemplateId: string;
  roleArn: string;
  state: { status: ExperimentStatus; reason: string };
  /** The template's targets, as they were when the experiment started. */
  targets: Record<string, TemplateTarget>;
  actions: Record<string, ExperimentActionRecord>;
  stopConditions: StopCondition[];
  creationTime: number;
  startTime: number;
  endTime?: number;
  tags: Record<string, string>;
  logConfiguration?: Record<string, unknown>;
  experimentOptions: TemplateOptions & { actionsMode: 'run-all' | 'skip-all' };
  /** Filled once, while the experiment is initiating; a timeline reads it to say what was hit. */
  resolvedTargets: ResolvedResource[];
}
