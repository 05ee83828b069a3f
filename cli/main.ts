import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { approveCommand, rejectCommand } from './commands/approval.ts';
import { experimentsCommand } from './commands/experiments.ts';
import { fisCatalogCommand } from './commands/fis-catalog.ts';
import { gamedayCommand } from './commands/gameday.ts';
import { historyCommands } from './commands/history.ts';
import { incidentsCommand } from './commands/incidents.ts';
import { initCommand } from './commands/init.ts';
import { noteCommand } from './commands/note.ts';
import { reportCommand } from './commands/report.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { timelineCommand } from './commands/timeline.ts';
import { validateCommand } from './commands/validate.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';
import { stdoutTakesColour } from './style.ts';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Standard output is a terminal that shows colours (cli/style.ts); plain text when absent. */
  color?: boolean;
}

/**
 * faultline's commands, in the order `faultline --help` lists them.
 *
 * A command is two modules. cli/commands/<name>.ts defines it: name, arguments, options and their
 * parsers, help text. It must stay light, because `faultline --version`, `--help` and
 * `<command> --help` load every definition listed here and nothing else (test/cli/startup.test.ts
 * fails when one reaches src/, sandbox/ or an SDK client). cli/actions/<name>.ts does the work,
 * and the definition's action imports it only when that command runs:
 *
 *   .action(async (file: string, flags: ScorecardFlags) =>
 *     (await import('../actions/scorecard.ts')).scorecardAction(file, flags, io))
 *
 * The flags' type lives in the definition; the action imports it with `import type`. To add a
 * command, write both modules and add its definition here.
 */
const COMMANDS: ((io: Io) => Command)[] = [
  sandboxCommand,
  experimentsCommand,
  initCommand,
  validateCommand,
  gamedayCommand,
  reportCommand,
  timelineCommand,
  incidentsCommand,
  ...historyCommands,
  noteCommand,
  approveCommand,
  rejectCommand,
  fisCatalogCommand,
];

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
  color: stdoutTakesColour(),
};

/** The version in package.json, whichever way faultline was started (npm sets npm_package_version only in scripts). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('faultline')
    .description('Chaos game days, auto-remediation and incident timelines for AWS, with a local sandbox.')
    .version(version(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  // A command with subcommands (incidents close) needs its options to be its own, not its parent's.
  program.enablePositionalOptions();
  for (const define of COMMANDS) program.addCommand(define(io));
  const configure = (cmd: Command) => {
    cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
    cmd.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    for (const sub of cmd.commands) configure(sub);
  };
  for (const cmd of program.commands) configure(cmd);
  return program;
}

/**
 * Bad input that an action's modules name with an error class of their own: a world file, an
 * experiment file, a state folder in use. Their modules are loaded here, on the way out of a
 * failed command, so that no command loads them to start.
 */
async function isBadInput(e: unknown): Promise<boolean> {
  if (e instanceof UsageError) return true;
  const [{ WorldFileError }, { ExperimentFileError }, { StateInUseError }] = await Promise.all([
    import('../sandbox/world/schema.ts'),
    import('../src/experiments/errors.ts'),
    import('../sandbox/state-lock.ts'),
  ]);
  return e instanceof WorldFileError || e instanceof ExperimentFileError || e instanceof StateInUseError;
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
    const explained = (await import('./explain-error.ts')).explainError(e, process.env);
    io.err(`faultline: ${explained?.message ?? (e as Error).message}`);
    if (explained) return explained.usage ? EXIT_USAGE : EXIT_FAILED;
    return (await isBadInput(e)) ? EXIT_USAGE : EXIT_FAILED;
  }
}
