import { Argument, Command } from 'commander';
import type { Io } from '../main.ts';
import { EXPERIMENTS_DIR, RUNBOOKS_DIR } from '../options.ts';

export interface InitFlags {
  out?: string;
}

export function initCommand(io: Io): Command {
  return new Command('init')
    .description('Write a commented starting file for an experiment or a runbook, valid as it is, to edit.')
    .addArgument(new Argument('<kind>', 'what to start').choices(['experiment', 'runbook']))
    .argument('<name>', 'its name: lower-case letters, digits and dashes')
    .option(
      '--out <file>',
      `where to write it (default: ${EXPERIMENTS_DIR}/<name>.yaml or ${RUNBOOKS_DIR}/<name>.yaml)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  faultline init experiment reboot-one      # writes ${EXPERIMENTS_DIR}/reboot-one.yaml
  faultline init runbook restart-web        # writes ${RUNBOOKS_DIR}/restart-web.yaml

The file validates against the sandbox's checkout world as written; its comments say what each
part is for. An existing file is never overwritten. Exit status: 0 written; 2 a bad name, or the
file exists (nothing is written).`,
    )
    .action(async (kind: 'experiment' | 'runbook', name: string, flags: InitFlags) =>
      (await import('../actions/init.ts')).initAction(kind, name, flags, io),
    );
}
