import type { DocumentParameters } from '../../../src/fis/ssm-documents.ts';

/**
 * What other services of the sandbox (FIS's SSM actions) ask of Systems Manager, in-process, as
 * FIS calls SSM's API on AWS: errors are SSM's own (AwsError with its code and message).
 */
export interface SsmPort {
  /** StartAutomationExecution with a document name or ARN (at a version, if given); returns the execution id. */
  startAutomation(document: string, parameters: DocumentParameters, version?: string): string;
  /** StopAutomationExecution (Cancel); a no-op for an execution that has ended. */
  stopAutomation(id: string): void;
  /** Calls `fn` once the execution has ended (Success, Failed, TimedOut, Cancelled). */
  onAutomationEnd(id: string, fn: (status: string, failureMessage: string | undefined) => void): void;
  /** The type of the document by that name or ARN, or undefined when SSM has none. */
  documentType(document: string): 'Automation' | 'Command' | undefined;
}
