import { Command, CommanderError } from 'commander';
import { StateInUseError } from '../sandbox/state-lock.ts';
import { WorldFileError } from '../sandbox/world/schema.ts';
import { ExperimentFileError } from '../src/experiments/errors.ts';
import { approveCommand, rejectCommand } from './commands/approval.ts';
import { fisCatalogCommand } from './commands/fis-catalog.ts';
import { gamedayCommand } from './commands/gameday.ts';
import { incidentsCommand } from './commands/incidents.ts';
import { noteCommand } from './commands/note.ts';
import { reportCommand } from './commands/report.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { timelineCommand } from './commands/timeline.ts';
import { validateCommand } from './commands/validate.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

// `faultline timeline x | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('faultline')
    .description('Chaos game days, auto-remediation and incident timelines for AWS, with a local sandbox.')
    .version(process.env.npm_package_version ?? '0.1.0', '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  program.addCommand(sandboxCommand(io));
  program.addCommand(validateCommand(io));
  program.addCommand(gamedayCommand(io));
  program.addCommand(reportCommand(io));
  program.addCommand(timelineCommand(io));
  program.addCommand(incidentsCommand(io));
  program.addCommand(noteCommand(io));
  program.addCommand(approveCommand(io));
  program.addCommand(rejectCommand(io));
  program.addCommand(fisCatalogCommand(io));
  for (const cmd of program.commands) {
    cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
    cmd.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  }
  return program;
}

/** Runs the CLI and returns its exit status: 0 done, 1 the run failed, 2 bad usage or input. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command that decided its own status (gameday's 3 for a refusal) has set it.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed the message (or the help / version).
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (
      e instanceof UsageError ||
      e instanceof WorldFileError ||
      e instanceof ExperimentFileError ||
      e instanceof StateInUseError
    ) {
      io.err(`faultline: ${e.message}`);
      return EXIT_USAGE;
    }
    io.err(`faultline: ${(e as Error).message}`);
    return EXIT_FAILED;
  }
}
