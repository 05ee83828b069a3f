import { Command } from 'commander';
import { defaultAuthor } from '../author.ts';
import type { Io } from '../main.ts';
import { type TimelineSourceFlags, timelineSourceOptions } from '../timeline-options.ts';

export interface ApprovalFlags extends TimelineSourceFlags {
  author: string;
  runbook?: string;
  note?: string;
  reason?: string;
}

export type Decision = 'given' | 'rejected';

export const DECISION_WORDS: Record<Decision, { verb: string; done: string; text: 'note' | 'reason' }> = {
  given: { verb: 'approve', done: 'Approved', text: 'note' },
  rejected: { verb: 'reject', done: 'Rejected', text: 'reason' },
};

export function approveCommand(io: Io): Command {
  return approvalCommand('given', io);
}

export function rejectCommand(io: Io): Command {
  return approvalCommand('rejected', io);
}

function approvalCommand(decision: Decision, io: Io): Command {
  const w = DECISION_WORDS[decision];
  const cmd = new Command(w.verb)
    .description(
      decision === 'given'
        ? 'Approve the remediation action waiting for a person on an incident: the remediation goes on.'
        : 'Reject the remediation action waiting for a person on an incident: nothing is done.',
    )
    .argument('<incident>', 'incident id (faultline incidents lists them)')
    .option(
      `--${w.text} <text>`,
      decision === 'given' ? 'why it is fine to go ahead' : 'why not (the flow and the timeline show it)',
    )
    .option('--author <name>', 'who answers', defaultAuthor())
    .option('--runbook <name>', 'which approval, when several wait on the incident');
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
The approval waits in a running Step Functions execution, so answer where it runs:
  a local sandbox: pass --endpoint with the AWS_ENDPOINT_URL that faultline sandbox printed, e.g.
    faultline ${w.verb} remediation-checkout-primary-20260105T0912Z --endpoint http://127.0.0.1:4566
  AWS: pass --aws (the usual credential chain; --stage names the stack's table).
The state folder alone is not enough: no execution runs in it once the sandbox has stopped.

An approval that is not answered before it expires counts as a rejection. The answer is recorded
on the incident's timeline (${decision === 'given' ? 'approval.given' : 'approval.rejected'}: who, when, ${w.text}).
Exit status: 0 answered; 2 nothing to answer (no such incident, no approval waiting, already
answered, expired) or no running sandbox to answer to; 1 the answer could not be sent or recorded.`,
    )
    .action(async (incidentId: string, flags: ApprovalFlags) =>
      (await import('../actions/approval.ts')).approvalAction(decision, incidentId, flags, io),
    );
}
