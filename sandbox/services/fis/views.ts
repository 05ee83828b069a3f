import type { ActionEntry, ParameterEntry, ResourceTypeEntry } from '../../../src/fis/catalog.ts';
import type { ExperimentRecord, ResolvedResource, TemplateRecord } from './model.ts';

/**
 * The wire shapes FIS answers with. Times become Date objects, which the restJson protocol
 * writes as epoch seconds.
 */

const at = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

export function templateView(t: TemplateRecord): Record<string, unknown> {
  return {
    id: t.id,
    arn: t.arn,
    description: t.description,
    targets: t.targets,
    actions: t.actions,
    stopConditions: t.stopConditions,
    creationTime: at(t.creationTime),
    lastUpdateTime: at(t.lastUpdateTime),
    roleArn: t.roleArn,
    tags: t.tags,
    logConfiguration: t.logConfiguration,
    experimentOptions: t.experimentOptions,
    targetAccountConfigurationsCount: 0,
  };
}

export function templateSummaryView(t: TemplateRecord): Record<string, unknown> {
  return {
    id: t.id,
    arn: t.arn,
    description: t.description,
    creationTime: at(t.creationTime),
    lastUpdateTime: at(t.lastUpdateTime),
    tags: t.tags,
  };
}

export function experimentView(e: ExperimentRecord): Record<string, unknown> {
  return {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.experimentTemplateId,
    roleArn: e.roleArn,
    state: e.state,
    targets: e.targets,
    actions: Object.fromEntries(
      Object.entries(e.actions).map(([name, a]) => [
        name,
        { ...a, startTime: at(a.startTime), endTime: at(a.endTime) },
      ]),
    ),
    stopConditions: e.stopConditions,
    creationTime: at(e.creationTime),
    startTime: at(e.startTime),
    endTime: at(e.endTime),
    tags: e.tags,
    logConfiguration: e.logConfiguration,
    experimentOptions: e.experimentOptions,
    targetAccountConfigurationsCount: 0,
  };
}

export function experimentSummaryView(e: ExperimentRecord): Record<string, unknown> {
  return {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.experimentTemplateId,
    state: e.state,
    creationTime: at(e.creationTime),
    tags: e.tags,
    experimentOptions: e.experimentOptions,
  };
}

export function resolvedTargetView(r: ResolvedResource): Record<string, unknown> {
  return { resourceType: r.resourceType, targetName: r.targetName, targetInformation: { arn: r.arn } };
}

/** GetAction's `action` member. */
export function actionView(id: string, spec: ActionEntry): Record<string, unknown> {
  return {
    id,
    description: spec.description,
    parameters: parametersView(spec.parameters),
    targets: targetsView(spec),
    tags: {},
  };
}

/** ListActions' summary of one action. */
export function actionSummaryView(id: string, spec: ActionEntry): Record<string, unknown> {
  return { id, description: spec.description, targets: targetsView(spec), tags: {} };
}

function targetsView(spec: ActionEntry): Record<string, { resourceType: string }> {
  return Object.fromEntries(Object.entries(spec.targets).map(([key, type]) => [key, { resourceType: type }]));
}

/** FIS describes a parameter by its description and whether it is required; the format is faultline's. */
function parametersView(parameters: Record<string, ParameterEntry>) {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, p]) => [
      name,
      { description: p.description, required: p.required },
    ]),
  );
}

export function resourceTypeView(resourceType: string, spec: ResourceTypeEntry): Record<string, unknown> {
  return { resourceType, description: spec.description, parameters: parametersView(spec.parameters) };
}
