import type { JsonOperation } from '../../protocol/json.ts';
import { AwsError } from '../../protocol/types.ts';
import type { AutomationEngine, ExecutionRecord, StepRecord } from './automation.ts';
import { currentStep, executionFilter, stepFilter } from './automation-filters.ts';
import { findDocument, hasVersion } from './document-api.ts';
import { type AutomationDocument, resolveParameters } from './documents.ts';
import {
  constraintError,
  type JsonInput,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringListMap,
  optionalTags,
  requiredString,
} from './input.ts';
import { pageOf } from './paging.ts';

const UUID = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;

/** StartAutomationExecution members for rate control and multi-account runs, which the sandbox does not run. */
const UNSUPPORTED = [
  'TargetParameterName',
  'Targets',
  'TargetMaps',
  'MaxConcurrency',
  'MaxErrors',
  'TargetLocations',
  'TargetLocationsURL',
  'AlarmConfiguration',
];

function executionId(input: JsonInput): string {
  return requiredString(input, 'AutomationExecutionId', { min: 36, max: 36 });
}

export interface ExecutionRequest {
  documentName: string;
  documentVersion?: string | undefined;
  given: Record<string, string[]>;
  clientToken?: string | undefined;
  tags?: Record<string, string>;
}

/**
 * Starts an execution as StartAutomationExecution does once its request is read: the document by
 * name or ARN, at a version it has, with its parameters checked and defaults filled in. FIS's
 * aws:ssm:start-automation-execution starts its executions here too.
 */
export function startExecution(
  engine: AutomationEngine,
  documents: Map<string, AutomationDocument>,
  req: ExecutionRequest,
): ExecutionRecord {
  const { documentName, documentVersion, given } = req;
  const document = findDocument(documents, documentName);
  if (!document) {
    throw new AwsError('AutomationDefinitionNotFoundException', `Document ${documentName} does not exist.`);
  }
  if (document.documentType === 'Command') {
    throw new AwsError(
      'InvalidDocumentType',
      `Document ${document.name} is a Command document; Automation runs Automation documents only.`,
    );
  }
  if (!hasVersion(document, documentVersion)) {
    throw new AwsError(
      'AutomationDefinitionVersionNotFoundException',
      `Version ${documentVersion} of document ${document.name} does not exist.`,
    );
  }
  const parameters = resolveParameters(document, given);
  const fingerprint = JSON.stringify([
    document.name,
    documentVersion ?? null,
    Object.keys(given)
      .sort()
      .map((k) => [k, given[k]]),
  ]);
  return engine.start({
    document,
    parameters,
    clientToken: req.clientToken,
    tags: req.tags ?? {},
    fingerprint,
  });
}

/** Automation's operations over the JSON protocol. */
export function automationOperations(
  engine: AutomationEngine,
  documents: Map<string, AutomationDocument>,
): Record<string, JsonOperation> {
  return {
    StartAutomationExecution: (input: JsonInput) => {
      const documentName = requiredString(input, 'DocumentName');
      const documentVersion = optionalString(input, 'DocumentVersion');
      const given = optionalStringListMap(input, 'Parameters') ?? {};
      const clientToken = optionalString(input, 'ClientToken', { min: 36, max: 36 });
      if (clientToken !== undefined && !UUID.test(clientToken)) {
        throw constraintError(
          'ClientToken',
          clientToken,
          `Member must satisfy regular expression pattern: ${UUID.source}`,
        );
      }
      const mode = optionalEnum(input, 'Mode', ['Auto', 'Interactive'] as const) ?? 'Auto';
      if (mode !== 'Auto') {
        throw new AwsError(
          'ValidationException',
          'The sandbox runs Automation executions in Auto mode only.',
        );
      }
      const unsupported = UNSUPPORTED.find((m) => input[m] !== undefined && input[m] !== null);
      if (unsupported) {
        throw new AwsError(
          'ValidationException',
          `The sandbox does not run rate-controlled or multi-account automations (${unsupported}).`,
        );
      }
      const tags = optionalTags(input) ?? {};
      const exec = startExecution(engine, documents, {
        documentName,
        documentVersion,
        given,
        clientToken,
        tags,
      });
      return { AutomationExecutionId: exec.id };
    },

    GetAutomationExecution: (input: JsonInput) => ({
      AutomationExecution: renderExecution(engine.get(executionId(input))),
    }),

    StopAutomationExecution: (input: JsonInput) => {
      const id = executionId(input);
      const type = optionalEnum(input, 'Type', ['Complete', 'Cancel'] as const) ?? 'Cancel';
      engine.stop(id, type);
      return {};
    },

    DescribeAutomationExecutions: (input: JsonInput) => {
      const matches = executionFilter(input);
      const all = engine.all();
      // Newest first; executions started in the same virtual millisecond keep the order they were started in.
      const order = new Map(all.map((e, i) => [e.id, i]));
      const page = pageOf(
        all.filter(matches),
        (e) => `${descending(e.startTime)}:${descending(order.get(e.id)!)}`,
        {
          listing: 'executions',
          nextToken: optionalString(input, 'NextToken'),
          max: optionalInteger(input, 'MaxResults', { min: 1, max: 50 }) ?? 50,
        },
      );
      return { AutomationExecutionMetadataList: page.items.map(renderMetadata), NextToken: page.nextToken };
    },

    DescribeAutomationStepExecutions: (input: JsonInput) => {
      const exec = engine.get(executionId(input));
      const matches = stepFilter(input);
      const reverse = optionalBoolean(input, 'ReverseOrder') ?? false;
      const index = new Map(exec.steps.map((s, i) => [s.stepExecutionId, i]));
      // Only steps that have started: the API reports active and finished step executions.
      const started = exec.steps.filter((s) => s.status !== 'Pending' && matches(s));
      const page = pageOf(
        started,
        (s) => {
          const i = index.get(s.stepExecutionId)!;
          return String(reverse ? 1e6 - i : i).padStart(8, '0');
        },
        {
          listing: `steps:${exec.id}:${reverse}`,
          nextToken: optionalString(input, 'NextToken'),
          max: optionalInteger(input, 'MaxResults', { min: 1, max: 50 }) ?? 50,
        },
      );
      return {
        StepExecutions: page.items.map((s) => renderStep(exec, s)),
        NextToken: page.nextToken,
      };
    },
  };
}

/** A sort key that orders larger numbers first. */
function descending(n: number): string {
  return String(Number.MAX_SAFE_INTEGER - n).padStart(16, '0');
}

function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

function renderStep(exec: ExecutionRecord, step: StepRecord) {
  const i = exec.steps.indexOf(step);
  const next = exec.steps[i + 1];
  return {
    StepName: step.name,
    Action: step.action,
    TimeoutSeconds: step.timeoutSeconds,
    OnFailure: step.onFailure ?? 'Abort',
    MaxAttempts: step.maxAttempts ?? 1,
    ExecutionStartTime: date(step.startTime),
    ExecutionEndTime: date(step.endTime),
    StepStatus: step.status,
    Inputs: step.inputs,
    Outputs: step.outputs,
    FailureMessage: step.failureMessage,
    StepExecutionId: step.stepExecutionId,
    IsEnd: step.isEnd ?? next === undefined,
    NextStep: step.isEnd ? undefined : (step.nextStep ?? next?.name),
    IsCritical: step.isCritical ?? true,
  };
}

function renderExecution(exec: ExecutionRecord) {
  const current = currentStep(exec);
  return {
    AutomationExecutionId: exec.id,
    DocumentName: exec.documentName,
    DocumentVersion: exec.documentVersion,
    ExecutionStartTime: date(exec.startTime),
    ExecutionEndTime: date(exec.endTime),
    AutomationExecutionStatus: exec.status,
    StepExecutions: exec.steps.map((s) => renderStep(exec, s)),
    StepExecutionsTruncated: false,
    Parameters: exec.parameters,
    Outputs: exec.outputs,
    FailureMessage: exec.failureMessage,
    Mode: 'Auto',
    ExecutedBy: exec.executedBy,
    CurrentStepName: current?.name,
    CurrentAction: current?.action,
    Targets: [],
    ResolvedTargets: { ParameterValues: [], Truncated: false },
  };
}

function renderMetadata(exec: ExecutionRecord) {
  const current = currentStep(exec);
  return {
    AutomationExecutionId: exec.id,
    DocumentName: exec.documentName,
    DocumentVersion: exec.documentVersion,
    AutomationExecutionStatus: exec.status,
    ExecutionStartTime: date(exec.startTime),
    ExecutionEndTime: date(exec.endTime),
    ExecutedBy: exec.executedBy,
    LogFile: '',
    Outputs: exec.outputs,
    Mode: 'Auto',
    CurrentStepName: current?.name,
    CurrentAction: current?.action,
    FailureMessage: exec.failureMessage,
    Targets: [],
    ResolvedTargets: { ParameterValues: [], Truncated: false },
    AutomationType: 'Local',
  };
}
