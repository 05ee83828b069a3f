import type { ReportVerdict } from '../src/report/json.ts';

/** Exit statuses of `faultline gameday`, documented in its --help and the README. */
export const GAMEDAY_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, deviated: 4 } as const;

/**
 * What the game day found, once: the fault's experiment and whether it stopped are the summary's
 * own fields, not repeated here.
 */
export type GameDayVerdict = Pick<ReportVerdict, 'hypothesis' | 'rto' | 'injected'>;

export interface GameDayOutcome {
  /** A dry run injects nothing by design. */
  kind: 'gameday' | 'dry-run';
  status: 'completed' | 'refused' | 'failed';
  faultStopped: boolean;
  verdict: GameDayVerdict | null;
}

/**
 * The exit status of a game day. A verdict is not a failure of the command unless asked
 * (`--fail-on-deviation`, for CI): then a completed game day whose hypothesis deviated, whose
 * RTO was missed, or that injected nothing (its actions failed as they started: it rehearsed
 * nothing, and a pipeline must not read it as passed) exits 4. A dry run measures nothing by
 * design, so it never deviates.
 */
export function exitStatus(s: GameDayOutcome, opts: { failOnDeviation?: boolean } = {}): number {
  if (s.status === 'refused') return GAMEDAY_EXIT.refused;
  if (s.status !== 'completed' || !s.faultStopped) return GAMEDAY_EXIT.failed;
  const deviated =
    s.verdict?.hypothesis === 'deviated' ||
    s.verdict?.rto.met === false ||
    (s.kind === 'gameday' && s.verdict?.injected === false);
  return opts.failOnDeviation && deviated ? GAMEDAY_EXIT.deviated : GAMEDAY_EXIT.ok;
}
