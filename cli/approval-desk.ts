import type { ApprovalRequest } from '../src/timeline/approvals.ts';
import { answerApproval } from './approval-answer.ts';
import { type Ask, askApproval } from './approval-prompt.ts';
import type { ApprovalWatch } from './approval-watch.ts';
import { UsageError } from './errors.ts';

/** Where a game day's terminal asks: its questions, and how lines are printed while one is open. */
export interface Questions {
  ask: Ask;
  print(line: string, out: (line: string) => void): void;
  /** A line that says where things stand, kept at the bottom of the terminal until the next print. */
  status?(text: string): void;
}

/** A line of the game day's progress and the instant it is about, for printing in time order. */
export interface TimedLine {
  at: number;
  line: string;
}

export interface DeskOptions {
  watch: ApprovalWatch;
  incidentId: string;
  /** Undefined when nobody is at a terminal: requests are only announced. */
  questions: Questions | undefined;
  /**
   * Sets the pace of the sandbox this process runs (1: real time) or puts its own back
   * (undefined); a no-op for a sandbox elsewhere or AWS, whose time is their own.
   */
  setPace: (pace: 1 | undefined) => void;
  /** The service's time now (a sandbox's virtual time). */
  now: () => number;
  author: string;
}

const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const INDENT = '          ';

/**
 * The game day's approvals at its terminal: announces each request in time order with the
 * progress, and asks the person there (one request at a time) to approve or reject it.
 *
 * While a person is asked, the sandbox in this process plays real time: a 15-minute approval
 * window is 15 minutes for them at any `--speed`, as it would be in production. Virtual time does
 * not stop: the fault goes on doing harm, the window closes at the time the runbook says, and a
 * late answer is a timeout, so the drill measures the decision as part of the recovery and does not
 * lie about the timeout. Once answered (or left), the run goes back to its own pace.
 */
export class ApprovalDesk {
  private readonly o: DeskOptions;
  private readonly queue: ApprovalRequest[] = [];
  private waiting = new Set<string>();
  /**
   * What the questions ended with, printed with the next look's lines: the progress read then may
   * hold steps that came before it.
   */
  private readonly ended: TimedLine[] = [];
  private open:
    | { request: ApprovalRequest; abort: AbortController; why: string; done: Promise<void> }
    | undefined;

  constructor(options: DeskOptions) {
    this.o = options;
  }

  /**
   * Looks at the incident's approvals: returns the lines announcing new requests (to print with
   * the progress, in time order), and withdraws the open question if its request was answered
   * elsewhere or its window closed.
   */
  async look(): Promise<TimedLine[]> {
    const look = await this.o.watch.look();
    this.waiting = look.waiting;
    const lines: TimedLine[] = this.ended.splice(0);
    for (const f of look.fresh) {
      for (const line of f.lines) lines.push({ at: f.at, line });
      if (this.o.questions) this.queue.push(f.request);
    }
    const open = this.open;
    if (open && !this.waiting.has(open.request.eventId)) this.withdraw('answered elsewhere');
    else if (open && this.expired(open.request)) this.withdraw(this.closedText(open.request));
    return lines;
  }

  /** Asks about the next waiting request, if nothing is being asked. */
  askNext(): void {
    const questions = this.o.questions;
    if (!questions || this.open) return;
    // Requests answered elsewhere or closed while another was asked are passed over.
    const still = this.queue.splice(0).filter((q) => this.waiting.has(q.eventId) && !this.expired(q));
    const request = still.shift();
    this.queue.push(...still);
    if (!request) return;
    const abort = new AbortController();
    this.o.setPace(1);
    const r = request;
    const done = askApproval(r, questions.ask, abort.signal)
      .then((answer) => (answer ? this.answer(r, answer) : this.left(r)))
      .catch((e: unknown) => {
        if (abort.signal.aborted) this.say(`${INDENT}no longer asked: ${this.open?.why ?? 'withdrawn'}`);
        else if (e instanceof UsageError) this.say(`${INDENT}not answered: ${e.message}`);
        else this.say(`${INDENT}not answered: ${(e as Error).message}`);
      })
      .finally(() => {
        this.o.setPace(undefined);
        this.open = undefined;
      });
    this.open = { request: r, abort, why: '', done };
  }

  /** Withdraws the open question (the game day ended), waits until it is gone; the lines left to print. */
  async close(why: string): Promise<TimedLine[]> {
    const open = this.open;
    if (open) {
      this.withdraw(why);
      await open.done;
    }
    return this.ended.splice(0);
  }

  private say(line: string, at: number = this.o.now()): void {
    this.ended.push({ at, line });
  }

  private withdraw(why: string): void {
    if (!this.open || this.open.abort.signal.aborted) return;
    this.open.why = why;
    this.open.abort.abort();
  }

  private expired(r: ApprovalRequest): boolean {
    return this.o.now() >= Date.parse(r.detail.expiresAt);
  }

  private closedText(r: ApprovalRequest): string {
    return `its window closed at ${r.detail.expiresAt.slice(11, 19)}: unanswered, it is a rejection`;
  }

  private async answer(r: ApprovalRequest, given: NonNullable<Awaited<ReturnType<typeof askApproval>>>) {
    const at = await answerApproval(this.o.watch.store, this.o.incidentId, r, {
      ...given,
      by: this.o.author,
    });
    const verb = given.decision === 'given' ? 'APPROVED' : 'REJECTED';
    this.say(
      `${hms(at.getTime())}  ${verb.padEnd(16)} ${r.detail.action} (runbook ${r.detail.runbook}) by ${this.o.author}${given.text ? `: ${given.text}` : ''}`,
      at.getTime(),
    );
  }

  private left(r: ApprovalRequest): void {
    this.say(
      `${INDENT}left unanswered here: unless answered by ${r.detail.expiresAt.slice(11, 19)}, it is a rejection`,
    );
  }
}
