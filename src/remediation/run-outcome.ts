import type { RemediationState } from './state.ts';

/** How a remediation ended, in the words a person reads in the game day's verdict. */
export type RunOutcome =
  | 'running'
  | 'resolved'
  | 'escalated'
  | 'rejected'
  | 'approval timed out'
  | 'held back'
  | 'kill switch'
  | 'duplicate'
  | 'dry run'
  | 'not matched'
  | 'failed';

/**
 * Reads the outcome off the execution's status and its last state document: a SUCCEEDED execution
 * may have acted and verified, or been held back, rejected or a duplicate, which the status alone
 * does not say.
 */
export function runOutcome(status: string, state: Partial<RemediationState>): RunOutcome {
  if (status === 'RUNNING') return 'running';
  if (status !== 'SUCCEEDED') return 'failed';
  if (!state.triage?.matched) return 'not matched';
  if (state.rejection) return state.rejection.Error === 'States.Timeout' ? 'approval timed out' : 'rejected';
  if (state.guard?.verdict === 'duplicate') return 'duplicate';
  if (state.guard?.verdict === 'kill-switch') return 'kill switch';
  if (state.guard && state.guard.verdict !== 'proceed') return 'held back';
  if (state.action?.outcome === 'dry-run') return 'dry run';
  if (state.action && state.action.outcome !== 'started') return 'held back';
  if (state.verification?.verified) return 'resolved';
  if (state.verification?.done) return 'escalated';
  return 'failed';
}
