import type { ReportVerdict } from '../src/report/json.ts';

/** Exit statuses of `faultline gameday`, documented in its --help and the README. */
export const GAMEDAY_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, deviated: 4 } as const;

/**
 * What the game day found, once: the fault's experiment and whether it stopped are the summary's
 * own fields, not repeated here.
 */
export type GameDayVerdict = Pick<ReportVerdict, 'hypothesis' | 'rto' | 'injected'>;

export interface GameDayOutcome {
  status: 'completed' | 'refused' | 'failed';
  faultStopped: boolean;
  verdict: GameDayVerdict | null;
}

/**
 * The exit status of a game day. A verdict is not a failure of the command unless asked
 * (`--fail-on-deviation`, for CI): then a completed game day whose hypothesis deviated or whose
 * RTO was missed exits 4. A dry run measures nothing, so it never deviates.
 */
export function exitStatus(s: GameDayOutcome, opts: { failOnDeviation?: boolean } = {}): number {
  if (s.status === 'refused') return GAMEDAY_EXIT.refused;
  if (s.status !== 'completed' || !s.faultStopped) return GAMEDAY_EXIT.failed;
  const deviated = s.verdict?.hypothesis === 'deviated' || s.verdict?.rto.met === false;
  return opts.failOnDeviation && deviated ? GAMEDAY_EXIT.deviated : GAMEDAY_EXIT.ok;
}
