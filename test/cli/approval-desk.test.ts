import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ApprovalDesk } from '../../cli/approval-desk.ts';
import { askApproval, TerminalQuestions } from '../../cli/approval-prompt.ts';
import { ApprovalWatch } from '../../cli/approval-watch.ts';
import { approvalRequestEvent } from '../../src/timeline/approvals.ts';
import type { TimelineEvent } from '../../src/timeline/event.ts';
import type { TimelineStore } from '../../src/timeline/store.ts';

const ID = 'region-outage-20260105T0900Z';
const at = (hhmmss: string) => Date.parse(`2026-01-05T${hhmmss}Z`);

function request(token: string, runbook: string, requested: string, expires: string): TimelineEvent {
  const e = approvalRequestEvent({
    taskToken: token,
    runbook,
    action: `Faultline-${runbook}`,
    requestedAt: new Date(at(requested)).toISOString(),
    expiresAt: new Date(at(expires)).toISOString(),
  });
  return { ...e, incidentId: ID, recordedAt: e.occurredAt, seq: 1 } as TimelineEvent;
}

/** A desk over a timeline holding `events`, with a person who answers only when withdrawn. */
function desk(events: TimelineEvent[], clock: { now: number }) {
  const store = { withIdPrefix: async () => events } as unknown as TimelineStore;
  const asked: string[] = [];
  const paces: (number | undefined)[] = [];
  const d = new ApprovalDesk({
    watch: new ApprovalWatch(store, ID, undefined, true),
    incidentId: ID,
    questions: {
      print: (line, out) => out(line),
      ask: (question, signal) => {
        asked.push(question);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    },
    setPace: (pace) => paces.push(pace),
    now: () => clock.now,
    author: 'dana',
  });
  return { d, asked, paces };
}

describe('the approvals desk of a game-day terminal', () => {
  it('announces each request once, asks about one at a time, and withdraws it when its window closes', async () => {
    const clock = { now: at('09:09:10') };
    const events = [
      request('t1', 'region-failover', '09:09:06', '09:24:06'),
      request('t2', 'az-capacity', '09:09:08', '09:10:00'),
    ];
    const { d, asked, paces } = desk(events, clock);
    const first = await d.look();
    expect(first.map((l) => [new Date(l.at).toISOString().slice(11, 19), l.line])).toEqual([
      [
        '09:09:06',
        '09:09:06  APPROVAL NEEDED  Faultline-region-failover (runbook region-failover), until 09:24:06',
      ],
      ['09:09:06', '          asked below; unanswered, it is a rejection'],
      ['09:09:08', '09:09:08  APPROVAL NEEDED  Faultline-az-capacity (runbook az-capacity), until 09:10:00'],
      ['09:09:08', '          asked below; unanswered, it is a rejection'],
    ]);
    d.askNext();
    d.askNext();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^Approve Faultline-region-failover \(runbook region-failover\)\?/);
    expect(paces).toEqual([1]);
    expect(await d.look()).toEqual([]);

    // Its window closes while asked: withdrawn, real time no longer played.
    clock.now = at('09:24:06');
    await d.look();
    await Promise.resolve();
    const left = await d.close('the game day ended');
    expect(left.map((l) => l.line)).toEqual([
      '          no longer asked: its window closed at 09:24:06: unanswered, it is a rejection',
    ]);
    expect(paces).toEqual([1, undefined]);
    // The other request's window closed meanwhile: it is not asked about.
    d.askNext();
    expect(asked).toHaveLength(1);
  });
});

describe('asking a person about an approval', () => {
  const r = {
    eventId: 'approval:request:x',
    detail: { taskToken: 'x', runbook: 'rb', action: 'Act', requestedAt: '', expiresAt: '' },
  };
  const scripted = (replies: string[]) => async () => replies.shift() ?? '';
  const signal = new AbortController().signal;

  it('approves on a or yes, rejects only with a reason, and leaves it on an empty line', async () => {
    expect(await askApproval(r, scripted(['A']), signal)).toEqual({ decision: 'given', text: undefined });
    expect(await askApproval(r, scripted(['what', 'yes']), signal)).toEqual({
      decision: 'given',
      text: undefined,
    });
    expect(await askApproval(r, scripted(['r', ' ', ' not now ']), signal)).toEqual({
      decision: 'rejected',
      text: 'not now',
    });
    expect(await askApproval(r, scripted(['']), signal)).toBeUndefined();
  });
});

/** A terminal of two streams, with everything written to it kept as the screen shows it. */
function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (d) => {
    written += String(d);
  });
  return { input, output, q: new TerminalQuestions(input, output), screen: () => written };
}

describe('questions at a terminal', () => {
  it('print the lines that come while a question is open above it, the question drawn again below', async () => {
    const { input, output, q, screen } = terminal();
    const printed: string[] = [];
    const out = (line: string) => {
      printed.push(line);
      output.write(`${line}\n`);
    };
    q.print('before', out);
    const answer = q.ask('Approve? › ', new AbortController().signal);
    input.write('ap');
    q.print('09:10:01  Observe  2m01s in: experiment running', out);
    input.write('prove\n');
    expect(await answer).toBe('approve');
    q.print('after', out);
    expect(printed).toEqual(['before', '09:10:01  Observe  2m01s in: experiment running', 'after']);
    // The line is cleared, the progress printed, the question and what was typed drawn again.
    expect(screen()).toContain('\r\u001b[K09:10:01  Observe  2m01s in: experiment running\n');
    expect(screen().slice(screen().indexOf('Observe'))).toMatch(/Approve\? › .*ap/);
    expect(screen().endsWith('after\n')).toBe(true);
  });

  it('keep a progress line at the bottom, written over, erased before a line is printed and while a question is open', async () => {
    const { input, output, q, screen } = terminal();
    const out = (line: string) => output.write(`${line}\n`);
    q.status('09:01:00  Observe …');
    q.status('09:01:30  Observe …');
    q.print('09:02:00  Observe  2m00s in: experiment running', out);
    expect(screen()).toBe(
      '\r\u001b[K09:01:00  Observe …\r\u001b[K09:01:30  Observe …\r\u001b[K09:02:00  Observe  2m00s in: experiment running\n',
    );
    q.status('09:02:30  Observe …');
    const answer = q.ask('Approve? › ', new AbortController().signal);
    q.status('09:03:00  Observe …');
    input.write('a\n');
    expect(await answer).toBe('a');
    // The status was erased before the question, and not drawn over it.
    const erased = screen().indexOf('09:02:30  Observe …\r\u001b[K');
    expect(erased).toBeGreaterThan(-1);
    expect(screen().indexOf('Approve? ›')).toBeGreaterThan(erased);
    expect(screen()).not.toContain('09:03:00');
    q.close();
  });
});
