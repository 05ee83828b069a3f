/**
 * An experiment template's content as FIS validates it: the members CreateExperimentTemplate
 * sets and UpdateExperimentTemplate may change, with every member the rules need present.
 * Plain JSON, so the sandbox can store it as it is.
 */

export interface TargetFilter {
  path: string;
  values: string[];
}

export interface TemplateTarget {
  resourceType: string;
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  filters?: TargetFilter[];
  selectionMode: string;
  parameters?: Record<string, string>;
}

export interface TemplateAction {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
}

export interface StopCondition {
  source: string;
  value?: string;
}

export interface TemplateOptions {
  accountTargeting: 'single-account' | 'multi-account';
  emptyTargetResolutionMode: 'fail' | 'skip';
}

export interface TemplateBody {
  description: string;
  targets: Record<string, TemplateTarget>;
  actions: Record<string, TemplateAction>;
  stopConditions: StopCondition[];
  roleArn: string;
  logConfiguration?: Record<string, unknown>;
  experimentOptions: TemplateOptions;
}
