import { type ApprovalRequest, approvalStatus } from '../src/timeline/approvals.ts';
import type { TimelineStore } from '../src/timeline/store.ts';

/** A request seen for the first time, with when it was made and the lines that announce it. */
export interface NewApproval {
  request: ApprovalRequest;
  at: number;
  lines: string[];
}

/** What one look at the incident's approvals found. */
export interface ApprovalLook {
  fresh: NewApproval[];
  /** The event ids of every request still without an answer on the timeline. */
  waiting: Set<string>;
}

/**
 * Tells the person running a game day when a remediation waits for their approval, once per
 * request, with how to answer it: a request nobody sees times out as a rejection.
 */
export class ApprovalWatch {
  private readonly announced = new Set<string>();
  readonly store: TimelineStore;
  private readonly incidentId: string;
  /** How to reach the flow, e.g. ` --endpoint http://127.0.0.1:4566`; undefined when nobody can. */
  private readonly reach: string | undefined;
  /** The terminal asks the person there and then (the line after the request says so). */
  private readonly asksHere: boolean;

  constructor(store: TimelineStore, incidentId: string, reach: string | undefined, asksHere: boolean) {
    this.store = store;
    this.incidentId = incidentId;
    this.reach = reach;
    this.asksHere = asksHere;
  }

  /** The requests that appeared since the last look, and those still waiting. */
  async look(): Promise<ApprovalLook> {
    const events = await this.store.withIdPrefix(this.incidentId, 'approval:');
    const status = approvalStatus(events);
    const pending =
      status.kind === 'pending' ? [status.request] : status.kind === 'several-pending' ? status.requests : [];
    const fresh: NewApproval[] = [];
    for (const r of pending) {
      if (this.announced.has(r.eventId)) continue;
      this.announced.add(r.eventId);
      fresh.push({
        request: r,
        at: Date.parse(r.detail.requestedAt),
        lines: this.announce(r, pending.length),
      });
    }
    return { fresh, waiting: new Set(pending.map((r) => r.eventId)) };
  }

  private announce(r: ApprovalRequest, waiting: number): string[] {
    const at = r.detail.requestedAt.slice(11, 19);
    const runbook = waiting > 1 ? ` --runbook ${r.detail.runbook}` : '';
    const command = `faultline approve ${this.incidentId}${runbook}${this.reach}`;
    const how = this.asksHere
      ? this.reach === undefined
        ? '          asked below; unanswered, it is a rejection'
        : `          asked below, or from anywhere: ${command}`
      : this.reach === undefined
        ? '          nobody can answer it in this in-process sandbox without a terminal: run `faultline sandbox` and pass --endpoint to answer approvals; unanswered, it is a rejection'
        : `          answer: ${command}  (or: faultline reject … --reason "…")`;
    return [
      `${at}  APPROVAL NEEDED  ${r.detail.action} (runbook ${r.detail.runbook}), until ${r.detail.expiresAt.slice(11, 19)}`,
      how,
    ];
  }
}
