import { AwsError } from '../../protocol/types.ts';
import type { ExecutionRecord, StepRecord } from './automation.ts';
import { type JsonInput, optionalObjectList, requiredString, requiredStringList } from './input.ts';

/** Every AutomationExecutionStatus AWS defines: valid filter values, even those the sandbox never reaches. */
const AWS_STATUSES = [
  'Pending',
  'InProgress',
  'Waiting',
  'Success',
  'TimedOut',
  'Cancelling',
  'Cancelled',
  'Failed',
  'PendingApproval',
  'Approved',
  'Rejected',
  'Scheduled',
  'RunbookInProgress',
  'PendingChangeCalendarOverride',
  'ChangeCalendarOverrideApproved',
  'ChangeCalendarOverrideRejected',
  'CompletedWithSuccess',
  'CompletedWithFailure',
  'Exited',
];

/** The filter keys DescribeAutomationExecutions accepts (AutomationExecutionFilterKey). */
const EXECUTION_KEYS = [
  'DocumentNamePrefix',
  'ExecutionStatus',
  'ExecutionId',
  'ParentExecutionId',
  'CurrentAction',
  'StartTimeBefore',
  'StartTimeAfter',
  'AutomationType',
  'TagKey',
  'TargetResourceGroup',
  'AutomationSubtype',
  'OpsItemId',
] as const;

/** The filter keys DescribeAutomationStepExecutions accepts (StepExecutionFilterKey). */
const STEP_KEYS = [
  'StartTimeBefore',
  'StartTimeAfter',
  'StepExecutionStatus',
  'StepExecutionId',
  'StepName',
  'Action',
  'ParentStepExecutionId',
  'ParentStepIteration',
  'ParentStepIteratorValue',
] as const;

interface Filter {
  key: string;
  values: string[];
}

function readFilters(input: JsonInput, keys: readonly string[]): Filter[] {
  const list = optionalObjectList(input, 'Filters', { max: 10 }) ?? [];
  if (Array.isArray(input.Filters) && list.length === 0) {
    throw new AwsError(
      'ValidationException',
      "1 validation error detected: Value '[]' at 'filters' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  return list.map((f) => {
    const key = requiredString(f, 'Key');
    if (!keys.includes(key)) {
      throw new AwsError('InvalidFilterKey', `The specified filter key ${key} is not valid.`);
    }
    const values = requiredStringList(f, 'Values', { min: 1, max: 10 }, { min: 1, max: 150 });
    return { key, values };
  });
}

function timeValue(filter: Filter): number {
  const t = Date.parse(filter.values[0]!);
  if (filter.values.length !== 1 || Number.isNaN(t)) {
    throw new AwsError(
      'InvalidFilterValue',
      `The filter ${filter.key} takes one ISO 8601 timestamp, such as 2026-01-05T09:00:00Z; got ${filter.values.join(', ')}.`,
    );
  }
  return t;
}

function checkStatuses(filter: Filter, allowed: readonly string[]): void {
  const bad = filter.values.find((v) => !allowed.includes(v));
  if (bad !== undefined) {
    throw new AwsError(
      'InvalidFilterValue',
      `The filter value ${bad} is not valid for ${filter.key}. Valid values include: [${allowed.join(', ')}].`,
    );
  }
}

/** The step that is running now, which AutomationExecution reports as CurrentStepName/CurrentAction. */
export function currentStep(exec: ExecutionRecord): StepRecord | undefined {
  return exec.steps.find((s) => s.status === 'InProgress');
}

/** DescribeAutomationExecutions' Filters as one predicate; keys are ANDed, values within a key ORed. */
export function executionFilter(input: JsonInput): (exec: ExecutionRecord) => boolean {
  const predicates = readFilters(input, EXECUTION_KEYS).map((f): ((e: ExecutionRecord) => boolean) => {
    switch (f.key) {
      case 'DocumentNamePrefix':
        return (e) => f.values.some((v) => e.documentName.startsWith(v));
      case 'ExecutionStatus':
        checkStatuses(f, AWS_STATUSES);
        return (e) => f.values.includes(e.status);
      case 'ExecutionId':
        return (e) => f.values.includes(e.id);
      case 'CurrentAction':
        return (e) => f.values.includes(currentStep(e)?.action ?? '');
      case 'StartTimeBefore': {
        const t = timeValue(f);
        return (e) => e.startTime <= t;
      }
      case 'StartTimeAfter': {
        const t = timeValue(f);
        return (e) => e.startTime >= t;
      }
      case 'AutomationType':
        checkStatuses(f, ['Local', 'CrossAccount']);
        return () => f.values.includes('Local');
      case 'TagKey':
        return (e) => f.values.some((v) => v in e.tags);
      default:
        // Parent executions, resource groups, change requests and OpsItems are not modelled: no
        // execution in the sandbox has one.
        return () => false;
    }
  });
  return (e) => predicates.every((p) => p(e));
}

/** DescribeAutomationStepExecutions' Filters as one predicate. */
export function stepFilter(input: JsonInput): (step: StepRecord) => boolean {
  const predicates = readFilters(input, STEP_KEYS).map((f): ((s: StepRecord) => boolean) => {
    switch (f.key) {
      case 'StepName':
        return (s) => f.values.includes(s.name);
      case 'Action':
        return (s) => f.values.includes(s.action);
      case 'StepExecutionId':
        return (s) => f.values.includes(s.stepExecutionId);
      case 'StepExecutionStatus':
        checkStatuses(f, AWS_STATUSES);
        return (s) => f.values.includes(s.status);
      case 'StartTimeBefore': {
        const t = timeValue(f);
        return (s) => s.startTime !== undefined && s.startTime <= t;
      }
      case 'StartTimeAfter': {
        const t = timeValue(f);
        return (s) => s.startTime !== undefined && s.startTime >= t;
      }
      default:
        // Loop steps (parents, iterations) are not modelled.
        return () => false;
    }
  });
  return (s) => predicates.every((p) => p(s));
}
