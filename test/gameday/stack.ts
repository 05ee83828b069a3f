import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { type LocalStack, PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { healthCheckId } from '../../sandbox/services/route53/ids.ts';
import { PRIMARY_CHECK_REFERENCE } from '../../sandbox/services/route53/world-dns.ts';
import { allClients } from '../../src/aws/clients.ts';
import type { ExperimentInput } from '../../src/experiments/schema.ts';
import { type GameDayDeps, liveDeps } from '../../src/gameday/deps.ts';
import { type GameDayState, gameDayState } from '../../src/gameday/state.ts';

export const MINUTE = 60_000;

export interface GameDayStack {
  stack: LocalStack;
  deps: GameDayDeps;
  close(): Promise<void>;
}

/**
 * The project deployed into a sandbox on a manual clock, and the dependencies a step's core takes,
 * pointed at it: the same clients and table the deployed handlers use, and the virtual clock as `now`.
 */
export async function startGameDayStack(seed = 7): Promise<GameDayStack> {
  const stack = await startLocal({ seed, start: DEFAULT_EPOCH, time: 'manual' });
  const deps = liveDeps(allClients(), process.env, () => stack.clock.date());
  return { stack, deps, close: () => stack.close() };
}

/** The world's primary Route 53 health check, as its id. */
export const PRIMARY_HEALTH_CHECK = healthCheckId(PRIMARY_CHECK_REFERENCE);

/** A shipped experiment file as written (before defaults). */
export async function experimentFile(name: string): Promise<ExperimentInput> {
  return parse(await readFile(join(PROJECT_DIR, 'experiments', `${name}.yaml`), 'utf8')) as ExperimentInput;
}

/** The execution input of a game day, parsed as the handlers parse it. */
export function gameDay(gamedayId: string, experiment: ExperimentInput, dryRun = false): GameDayState {
  return gameDayState.parse({ gamedayId, experiment, dryRun });
}

/** A step's result as the state machine would pass it on: through JSON, under its ResultPath. */
export function withResult<K extends keyof GameDayState>(
  state: GameDayState,
  key: K,
  result: unknown,
): GameDayState {
  return gameDayState.parse({ ...state, [key]: JSON.parse(JSON.stringify(result)) });
}
