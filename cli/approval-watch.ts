import { approvalStatus } from '../src/timeline/approvals.ts';
import type { TimelineStore } from '../src/timeline/store.ts';

/**
 * Tells the person running a game day when a remediation waits for their approval, once per
 * request, with the command that answers it: a request nobody sees times out as a rejection.
 */
export class ApprovalWatch {
  private readonly announced = new Set<string>();
  private readonly store: TimelineStore;
  private readonly incidentId: string;
  /** How to reach the flow, e.g. ` --endpoint http://127.0.0.1:4566`; undefined when nobody can. */
  private readonly reach: string | undefined;

  constructor(store: TimelineStore, incidentId: string, reach: string | undefined) {
    this.store = store;
    this.incidentId = incidentId;
    this.reach = reach;
  }

  /** Lines for the requests that appeared since the last look. */
  async newRequests(): Promise<string[]> {
    const events = await this.store.withIdPrefix(this.incidentId, 'approval:');
    const status = approvalStatus(events);
    const pending =
      status.kind === 'pending' ? [status.request] : status.kind === 'several-pending' ? status.requests : [];
    const lines: string[] = [];
    for (const r of pending) {
      if (this.announced.has(r.eventId)) continue;
      this.announced.add(r.eventId);
      const at = r.detail.requestedAt.slice(11, 19);
      const runbook = pending.length > 1 ? ` --runbook ${r.detail.runbook}` : '';
      lines.push(
        `${at}  APPROVAL NEEDED  ${r.detail.action} (runbook ${r.detail.runbook}), until ${r.detail.expiresAt.slice(11, 19)}`,
        this.reach === undefined
          ? '          nobody can answer it in this in-process sandbox: run `faultline sandbox` and pass --endpoint to answer approvals; unanswered, it is a rejection'
          : `          answer: faultline approve ${this.incidentId}${runbook}${this.reach}  (or: faultline reject … --reason "…")`,
      );
    }
    return lines;
  }
}
