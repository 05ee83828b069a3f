/** What the database's readers see at one instant. */
export interface ReplicationConditions {
  failingOver: boolean;
  /** When the writer's AZ became unreachable, if it is now. */
  writerUnreachableSince: number | undefined;
}

/** Seconds for the lag to fall by a factor e once replication is back (readers catch up). */
const CATCH_UP_TAU_MS = 15_000;

/**
 * Aurora replica lag over time: a few milliseconds in steady state, a spike while the cluster
 * fails over (the readers restart against the new writer), growing while the readers cannot reach
 * the writer, and an exponential catch-up afterwards.
 */
export class ReplicaLagModel {
  private readonly baseMs: number;
  private readonly spikeMs: number;
  private lagMs: number;
  private at: number | undefined;

  constructor(baseMs: number, spikeMs: number) {
    this.baseMs = baseMs;
    this.spikeMs = spikeMs;
    this.lagMs = baseMs;
  }

  /** The lag at `now` (ms), before measurement noise. */
  sample(now: number, c: ReplicationConditions): number {
    const target = this.targetLag(now, c);
    const elapsed = this.at === undefined ? 0 : Math.max(0, now - this.at);
    this.lagMs =
      target >= this.lagMs ? target : target + (this.lagMs - target) * Math.exp(-elapsed / CATCH_UP_TAU_MS);
    this.at = now;
    return this.lagMs;
  }

  private targetLag(now: number, c: ReplicationConditions): number {
    const spike = Math.max(this.spikeMs, this.baseMs);
    if (c.failingOver) return spike;
    if (c.writerUnreachableSince !== undefined) {
      // No log records arrive: the readers fall behind by the time since they last heard from the writer.
      return Math.min(spike, this.baseMs + (now - c.writerUnreachableSince));
    }
    return this.baseMs;
  }
}
