import { Command } from 'commander';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR, integerIn } from '../options.ts';
import { type PageFlags, pageOptions } from '../page-options.ts';
import { type TimelineSourceFlags, timelineSourceOptions } from '../timeline-options.ts';

export interface ScorecardFlags extends TimelineSourceFlags, PageFlags {
  days: number;
  experiments: string;
}

export function scorecardCommand(io: Io): Command {
  const cmd = new Command('scorecard')
    .description(
      'Is the service getting more resilient? A score per service over its game days, its trend, objectives, times to detect, mitigate and recover, error budget, remediations, and the faults not rehearsed.',
    )
    .argument('[service]', 'the service (all of them when left out)')
    .option('--days <n>', 'the window: game days opened in the last n days', integerIn(1, 3650), 30)
    .option(
      '--experiments <dir>',
      'the experiment files that say which faults each service should rehearse',
      EXPERIMENTS_DIR,
    );
  return timelineSourceOptions(
    pageOptions(cmd, 'one self-contained page with charts, readable offline and on a phone'),
  )
    .addHelpText(
      'after',
      `
Examples:
  faultline scorecard                                  # every service, one line each
  faultline scorecard checkout                         # one service in full
  faultline scorecard checkout --days 90 --format html --out checkout.html
  faultline scorecard checkout --json | jq .score
  faultline scorecard checkout --aws --stage prod

The score is the share of the window's game days that passed (fault stopped, hypothesis held,
every objective measured met); dry runs and refused runs are listed apart and never counted. Its
definition, the trend's and the others' are printed with it (docs/scorecard.md). Each game day's
record is written when its report is; game days reported before that are recorded the first time
a scorecard reads the table. Exit status: 0 shown (even with no game day); 2 bad flags, an
unknown service, a bad experiment file or no sandbox state; 1 the history could not be read.`,
    )
    .action(async (service: string | undefined, flags: ScorecardFlags) =>
      (await import('../actions/scorecard.ts')).scorecardAction(service, flags, io),
    );
}
