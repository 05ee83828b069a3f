import { Command } from 'commander';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR } from '../options.ts';
import { type TimelineSourceFlags, timelineSourceOptions } from '../timeline-options.ts';

export interface ExperimentsFlags extends TimelineSourceFlags {
  json: boolean;
}

export function experimentsCommand(io: Io): Command {
  const cmd = new Command('experiments')
    .description(
      `List the experiments in ${EXPERIMENTS_DIR}/: what each does, its schedule and next run, and the verdict of its last game day.`,
    )
    .option('--json', 'print a JSON array for scripts instead of the list', false);
  return timelineSourceOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  faultline experiments
  faultline experiments --endpoint http://127.0.0.1:4566     # last runs as a running sandbox has them
  faultline experiments --json | jq '.[] | select(.lastRun.verdict.hypothesis == "deviated") | .name'

The last run is the newest game day of the experiment (dry runs measure nothing and are left out)
where the incidents are read: the sandbox state folder by default, --endpoint or --aws. Times are
UTC. A file that is not valid is listed as such (faultline validate says why). Exit status: 0
listed; 2 bad flags or no ${EXPERIMENTS_DIR}/ folder; 1 the incidents could not be read.`,
    )
    .action(async (flags: ExperimentsFlags) =>
      (await import('../actions/experiments.ts')).experimentsAction(flags, io),
    );
}
