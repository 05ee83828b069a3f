import { Command } from 'commander';
import type { Io } from '../main.ts';
import { type PageFlags, pageOptions } from '../page-options.ts';
import { type TimelineSourceFlags, timelineSourceOptions } from '../timeline-options.ts';

export interface CompareFlags extends TimelineSourceFlags, PageFlags {}

export function compareCommand(io: Io): Command {
  const cmd = new Command('compare')
    .description(
      'Two game days of the same experiment side by side: key moments, objectives, impact, what the automation did, the metrics overlaid, and what changed.',
    )
    .argument('<a>', 'the game day compared against (the earlier one, or the one without the change)')
    .argument('<b>', 'the game day compared (faultline incidents lists them)');
  return timelineSourceOptions(pageOptions(cmd, 'one self-contained page with the metrics overlaid'))
    .addHelpText(
      'after',
      `
Examples:
  faultline compare instance-kill-20260105T0900Z instance-kill-20260105T1000Z
  faultline compare A B --format html --out compare.html
  faultline compare A B --json | jq .verdict

B is judged against A: better, worse, mixed or unchanged, with the measures that moved (the rule
is printed with it; docs/scorecard.md). Exit status: 0 shown; 2 bad flags, an unknown incident,
one that is not a game day, or two runs of different experiments; 1 the timelines could not be read.`,
    )
    .action(async (a: string, b: string, flags: CompareFlags) =>
      (await import('../actions/compare.ts')).compareAction(a, b, flags, io),
    );
}
