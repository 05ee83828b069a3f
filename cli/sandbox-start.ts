import { handOverTime } from '../sandbox/local.ts';
import { nextAllowedMoment, type WindowSpec } from '../src/gameday/window.ts';

/**
 * When the sandbox a command starts is handed over: the pinned time, or now (see handOverTime).
 * Unpinned, a game day whose experiment may only run in some windows starts at the next moment
 * they allow instead of being refused on a weekend or at night, and `say` tells the user so; a
 * pinned time is kept as it is, and preflight refuses it if it falls outside.
 */
export async function sandboxStart(
  opts: { stateDir: string; fresh: boolean; start?: number },
  experiment?: { name: string; windows: readonly WindowSpec[] },
  say: (line: string) => void = () => {},
): Promise<number> {
  // An empty $FAULTLINE_START is an unset one, as shells mean it (commander hands it on as '').
  const start = typeof opts.start === 'number' ? opts.start : undefined;
  const at = await handOverTime({ ...opts, start });
  if (start !== undefined || !experiment || experiment.windows.length === 0) return at;
  const next = nextAllowedMoment(experiment.windows, new Date(at));
  if (next && next.getTime() > at) {
    say(
      `faultline: ${moment(at)} is outside ${experiment.name}'s allowed windows (guardrails.windows): the sandbox starts at the next allowed moment, ${moment(next.getTime())}`,
    );
    return next.getTime();
  }
  return at;
}

function moment(t: number): string {
  const d = new Date(t);
  const day = d.toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' });
  return `${day} ${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
