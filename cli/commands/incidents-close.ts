import { Command } from 'commander';
import { defaultAuthor } from '../author.ts';
import type { Io } from '../main.ts';
import { type TimelineSourceFlags, timelineSourceOptions } from '../timeline-options.ts';

export interface IncidentsCloseFlags extends TimelineSourceFlags {
  reason: string;
  author: string;
}

/** `faultline incidents close`: a subcommand of `incidents` (commands/incidents.ts adds it). */
export function incidentsCloseCommand(io: Io): Command {
  const cmd = new Command('close')
    .description(
      'Close an open incident by hand, saying why: one no automation will close (a remediation held back or escalated, a game day that ended unrecovered).',
    )
    .argument('<incident>', 'incident id (faultline incidents lists them)')
    .requiredOption('--reason <text>', 'why it is closed (kept on its timeline and in its report)')
    .option('--author <name>', 'who closes it', defaultAuthor());
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline incidents close checkout-5xx-rate-20260105T0903Z --reason "held back during the drill; checked by hand"

The incident becomes resolved at the source's "now" (a sandbox's virtual clock), and its timeline
gets a note saying who closed it and why. A game day closes its own incident when it recovers; one
that ended unrecovered leaves it open for a person to close. A day's dropped-events log is not an
incident. Exit status: 0 closed; 2 no such incident, not open,
or an empty reason (nothing is written); 1 the timeline could not be written.`,
    )
    .action(async (incidentId: string, flags: IncidentsCloseFlags) =>
      (await import('../actions/incidents-close.ts')).incidentsCloseAction(incidentId, flags, io),
    );
}
