/**
 * Where clients send traffic after a Route 53 failover. Resolvers cache the answer for the
 * record's TTL, so traffic moves from one region to the other gradually over one TTL, not at once.
 */
export class DnsTrafficShift {
  private readonly primaryRegion: string;
  private readonly ttlMs: number;
  private active: string;
  private fromShare = 1;
  private toShare = 1;
  private since = 0;

  constructor(primaryRegion: string, ttlSeconds: number) {
    this.primaryRegion = primaryRegion;
    this.ttlMs = ttlSeconds * 1000;
    this.active = primaryRegion;
  }

  get activeRegion(): string {
    return this.active;
  }

  /** DNS now answers with `region`'s endpoint. */
  setActiveRegion(region: string, now: number): void {
    if (region === this.active) return;
    this.fromShare = this.primaryShare(now);
    this.toShare = region === this.primaryRegion ? 1 : 0;
    this.since = now;
    this.active = region;
  }

  /** Share (0–1) of clients that still reach the primary region's load balancer at `now`. */
  primaryShare(now: number): number {
    if (this.ttlMs <= 0 || now - this.since >= this.ttlMs) return this.toShare;
    const progress = Math.max(0, now - this.since) / this.ttlMs;
    return this.fromShare + (this.toShare - this.fromShare) * progress;
  }
}
