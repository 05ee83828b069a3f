/**
 * SSM Automation's final statuses (GetAutomationExecution), the good and the bad: the flow waits
 * for one, the report reads when it came. A module of its own so the report does not bundle SSM.
 */
export const SSM_SUCCEEDED: ReadonlySet<string> = new Set(['Success', 'CompletedWithSuccess']);
export const SSM_FAILED: ReadonlySet<string> = new Set([
  'Failed',
  'TimedOut',
  'Cancelled',
  'CompletedWithFailure',
  'Rejected',
]);
