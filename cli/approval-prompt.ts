import { createInterface, type Interface } from 'node:readline/promises';
import type { ApprovalRequest } from '../src/timeline/approvals.ts';
import type { Decision } from './commands/approval.ts';

/** Asks one question and resolves with the line typed; rejects with an AbortError when `signal` fires. */
export type Ask = (question: string, signal: AbortSignal) => Promise<string>;

/** What a person at the terminal decided about an approval; undefined when they left it. */
export type TerminalAnswer = { decision: Decision; text: string | undefined } | undefined;

/**
 * Asks the person at the terminal to approve or reject a request there and then: `a` (or `approve`,
 * `y`) approves, `r` (or `reject`, `n`) rejects and then asks for the reason, which a rejection must
 * have; an empty line leaves the request to `faultline approve`/`reject` or to its timeout. Anything
 * else is asked again. `signal` withdraws the question (the request was answered elsewhere or its
 * window closed): the promise then rejects with an AbortError.
 */
export async function askApproval(
  request: ApprovalRequest,
  ask: Ask,
  signal: AbortSignal,
): Promise<TerminalAnswer> {
  const { action, runbook } = request.detail;
  for (;;) {
    const word = (
      await ask(`Approve ${action} (runbook ${runbook})? [a]pprove / [r]eject / Enter: not here › `, signal)
    )
      .trim()
      .toLowerCase();
    if (word === '') return undefined;
    if (['a', 'approve', 'y', 'yes'].includes(word)) return { decision: 'given', text: undefined };
    if (['r', 'reject', 'n', 'no'].includes(word)) {
      for (;;) {
        const reason = (
          await ask('Reason for rejecting (the flow and the timeline show it) › ', signal)
        ).trim();
        if (reason !== '') return { decision: 'rejected', text: reason };
      }
    }
  }
}

/**
 * Questions at an interactive terminal, with the lines printed while one is open shown above it
 * (the question and what was typed so far are drawn again below them), so that a game day's
 * progress goes on under a person's eyes while they decide.
 */
export class TerminalQuestions {
  private rl: Interface | undefined;
  private statusShown = false;
  private readonly input: NodeJS.ReadableStream;
  private readonly output: NodeJS.WritableStream;

  constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
    this.input = input;
    this.output = output;
  }

  readonly ask: Ask = async (question, signal) => {
    this.clearStatus();
    const rl = createInterface({ input: this.input, output: this.output, terminal: true });
    // Ctrl-C at the question interrupts the game day as it would anywhere else (readline would
    // otherwise swallow it while the terminal is in raw mode).
    rl.on('SIGINT', () => {
      this.output.write('\n');
      process.kill(process.pid, 'SIGINT');
    });
    this.rl = rl;
    try {
      return await rl.question(question, { signal });
    } finally {
      this.rl = undefined;
      rl.close();
      // A withdrawn question leaves no half-answered line behind: what withdrew it is printed next.
      if (signal.aborted) this.output.write('\r\u001b[K');
    }
  };

  /** Closes the open question, if any, and lets go of the terminal (a game day that failed). */
  close(): void {
    this.rl?.close();
    this.clearStatus();
  }

  /**
   * Shows where things stand on the terminal's last line, written over at each call (an empty
   * text erases it) and erased before anything else is printed; not while a question is open
   * (the question is the last line).
   */
  status(text: string): void {
    if (text === '') {
      this.clearStatus();
      return;
    }
    if (this.rl) return;
    this.output.write(`\r\u001b[K${text}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (!this.statusShown) return;
    this.output.write('\r\u001b[K');
    this.statusShown = false;
  }

  /** Prints a line, above the open question if there is one. */
  print(line: string, out: (line: string) => void): void {
    if (!this.rl) {
      this.clearStatus();
      out(line);
      return;
    }
    // Carriage return and erase to the end of the line: the question is drawn again after.
    this.output.write('\r\u001b[K');
    out(line);
    this.rl.prompt(true);
  }
}
