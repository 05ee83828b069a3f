import { type ExperimentRecord, TERMINAL_EXPERIMENT_STATUSES, type TemplateRecord } from './model.ts';

/** What `save()` writes for FIS. */
export interface FisSnapshot {
  version: 1;
  templates: TemplateRecord[];
  experiments: ExperimentRecord[];
  /** clientToken → [template id, fingerprint of the request that used it]. */
  templateTokens: [string, { id: string; fingerprint: string }][];
  /** clientToken → experiment id. */
  experimentTokens: [string, string][];
}

export const RESTART_REASON = 'sandbox restarted while the experiment was running';

/** FIS's templates and experiments, in creation order, with the client tokens that made them. */
export class FisStore {
  readonly templates = new Map<string, TemplateRecord>();
  readonly experiments = new Map<string, ExperimentRecord>();
  readonly templateTokens = new Map<string, { id: string; fingerprint: string }>();
  readonly experimentTokens = new Map<string, string>();

  snapshot(): FisSnapshot {
    return {
      version: 1,
      templates: [...this.templates.values()],
      experiments: [...this.experiments.values()],
      templateTokens: [...this.templateTokens],
      experimentTokens: [...this.experimentTokens],
    };
  }

  /**
   * Loads a snapshot. Nothing of an experiment's schedule survives a restart (the world starts
   * afresh), so an experiment that had not ended is recorded as failed rather than left running,
   * at `savedAt`: the last moment the snapshot shows it running.
   */
  load(raw: unknown, savedAt: number): void {
    const s = raw as Partial<FisSnapshot> | null;
    if (
      s?.version !== 1 ||
      !Array.isArray(s.templates) ||
      !Array.isArray(s.experiments) ||
      !Array.isArray(s.templateTokens) ||
      !Array.isArray(s.experimentTokens)
    ) {
      throw new Error('the saved FIS state is not in the format this sandbox writes; start with --fresh');
    }
    for (const t of s.templates) this.templates.set(t.id, t);
    for (const e of s.experiments) {
      if (!TERMINAL_EXPERIMENT_STATUSES.has(e.state.status)) failAfterRestart(e, savedAt);
      this.experiments.set(e.id, e);
    }
    for (const [token, v] of s.templateTokens) this.templateTokens.set(token, v);
    for (const [token, id] of s.experimentTokens) this.experimentTokens.set(token, id);
  }

  /** The template or experiment with this ARN (the tagging operations address resources by ARN). */
  byArn(arn: string): TemplateRecord | ExperimentRecord | undefined {
    for (const t of this.templates.values()) if (t.arn === arn) return t;
    for (const e of this.experiments.values()) if (e.arn === arn) return e;
    return undefined;
  }
}

function failAfterRestart(e: ExperimentRecord, now: number): void {
  e.state = { status: 'failed', reason: RESTART_REASON };
  e.endTime = Math.max(now, e.startTime);
  for (const a of Object.values(e.actions)) {
    if (a.state.status === 'pending') a.state = { status: 'cancelled', reason: RESTART_REASON };
    else if (['initiating', 'running', 'stopping'].includes(a.state.status)) {
      a.state = { status: 'failed', reason: RESTART_REASON };
      a.endTime = e.endTime;
    }
  }
}
