import { resetClients } from '../src/aws/clients.ts';
import type { ApiFaultRates } from './api-faults.ts';
import { VirtualClock } from './clock.ts';
import { type Deployment, deployToSandbox } from './deploy/deploy.ts';
import { resolveServerless } from './deploy/resolve.ts';
import { HttpActivity, type Pace, playTime } from './idle.ts';
import { PROJECT_DIR } from './project-dir.ts';
import { Sandbox } from './sandbox.ts';
import type { WorldDefinition } from './world/schema.ts';

/** How long the world runs before a local stack is handed over. */
export const WARM_UP_MS = 10 * 60_000;

export { PROJECT_DIR };

export interface LocalOptions {
  seed?: number;
  world?: WorldDefinition | string;
  stateDir?: string;
  fresh?: boolean;
  /** Start on a damaged state folder, keeping what is left (see SandboxOptions.repair). */
  repair?: boolean;
  /**
   * How virtual time moves: `fast` jumps ahead whenever nothing is in flight (game days, tests,
   * benchmarks); a number plays that many virtual seconds per real second; `manual` only moves
   * when the caller advances the clock.
   */
  time?: 'fast' | 'manual' | number;
  /**
   * Virtual time at which the stack is handed over (epoch ms), after the world's warm-up; by
   * default `handOverTime()`: the real time now, or later if the state folder's time is later.
   */
  start?: number;
  port?: number;
  stage?: string;
  /**
   * Keep virtual time still until `play()`: a command that prepares (reads files, loads modules,
   * asks the sandbox a few questions) before its run starts would otherwise let the clock move on
   * by however long that took on this machine, and the run start at a time no seed decides.
   */
  hold?: boolean;
  /** Faults to inject into the sandbox's API once the project is deployed (throttling, 5xx, latency). */
  apiFaults?: ApiFaultRates;
  /**
   * Open the state to look at it (reports, notes): the clock resumes where it was saved, without
   * warm-up, and closing does not save, so looking does not move the sandbox's time on.
   */
  inspect?: boolean;
}

export interface LocalStack {
  sandbox: Sandbox;
  deployment: Deployment;
  clock: VirtualClock;
  endpoint: string;
  /** Starts virtual time moving (a stack started with `hold`); a no-op once it moves. */
  play(): void;
  /**
   * Plays at another pace until called again with undefined (back to the stack's own): e.g. 1
   * while a person at this terminal is asked to approve, so that a 15-minute window is 15 minutes
   * for them whatever the speed, and the drill does not lie about the timeout. No-op in manual mode.
   */
  setPace(pace: Pace | undefined): void;
  /** Stops the clock driver, closes the sandbox, restores the process's timers and environment. */
  close(): Promise<void>;
}

const ENV_KEYS = [
  'POWERTOOLS_LOG_LEVEL',
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
];

const MINUTE = 60_000;

/**
 * When a local stack is handed over: the time pinned with `start` (for reproducible runs), or the
 * real time now, rounded up to the next whole minute so that a run lines up with the minute
 * boundaries of metrics and alarms as every pinned run does. A state folder saved at a later
 * virtual time (fast runs run ahead of the real clock) resumes at the next whole hour after it
 * instead, so incidents of successive runs never overlap and its clock never goes back.
 */
export async function handOverTime(opts: {
  stateDir?: string;
  fresh?: boolean;
  start?: number;
  now?: number;
}): Promise<number> {
  const resume = await Sandbox.resumeTime(opts.stateDir, opts.fresh);
  const wanted = opts.start ?? Math.ceil((opts.now ?? Date.now()) / MINUTE) * MINUTE;
  return Math.max(wanted, resume ?? wanted);
}

/**
 * The project running locally: a sandbox on this process's (virtual) clock with serverless.yml
 * deployed into it, and this process's AWS environment pointed at it, exactly as a Lambda
 * function's would be on AWS. Handlers and the CLI then use their ordinary SDK clients.
 */
export async function startLocal(opts: LocalOptions = {}): Promise<LocalStack> {
  const time = opts.time ?? 'fast';
  const service = await resolveServerless(PROJECT_DIR, opts.stage);
  // The world runs a few minutes before anyone looks, so that its alarms have data and a game day
  // finds a steady state, as it would in production; the run itself starts on the hour.
  const warmUp = opts.inspect ? 0 : WARM_UP_MS;
  const start = opts.inspect
    ? ((await Sandbox.savedTime(opts.stateDir)) ?? Date.now())
    : (opts.start ?? (await handOverTime(opts))) - warmUp;
  const clock = VirtualClock.installGlobal(start, { dateOnly: time === 'manual' });
  const savedEnv: Record<string, string | undefined> = {};
  let sandbox: Sandbox | undefined;
  let stopDriver: () => void = () => {};
  const http = new HttpActivity();
  try {
    sandbox = await Sandbox.create({
      seed: opts.seed,
      world: opts.world,
      stateDir: opts.stateDir,
      fresh: opts.fresh,
      repair: opts.repair,
      clock,
    });
    const endpoint = await sandbox.listen(opts.port ?? 0);
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: sandbox.world.region,
      AWS_DEFAULT_REGION: sandbox.world.region,
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      // The functions run in this process and would log to its terminal: keep them to critical
      // errors unless asked (POWERTOOLS_LOG_LEVEL=INFO shows everything, as CloudWatch Logs would).
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL',
    };
    for (const k of ENV_KEYS) {
      savedEnv[k] = process.env[k];
      delete process.env[k];
    }
    Object.assign(process.env, env);
    resetClients();
    // The service runs before faultline is deployed onto it, as in production: schedules are armed
    // from the moment of the deployment on.
    if (warmUp > 0) await clock.advance(warmUp);
    const deployment = await deployToSandbox(sandbox, service, PROJECT_DIR);
    // What a stopped run left unfinished goes on now that its targets exist again (a look at the
    // state must change nothing).
    if (!opts.inspect) sandbox.resume();
    for (const [k, v] of Object.entries(deployment.environment)) {
      if (!(k in savedEnv)) savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
    const sb = sandbox;
    if (opts.apiFaults) sb.injectApiFaults(opts.apiFaults);
    let playing = false;
    let override: Pace | undefined;
    const play = () => {
      if (playing || time === 'manual') return;
      playing = true;
      const pace = time;
      stopDriver = playTime(
        clock,
        () => http.inFlight > 0 || sb.requestsInFlight > 0 || clock.workRunning > 0,
        () => override ?? pace,
      );
    };
    if (!opts.hold) play();
    return {
      sandbox: sb,
      deployment,
      clock,
      endpoint,
      play,
      setPace: (pace) => {
        override = pace;
      },
      close: async () => {
        stopDriver();
        http.dispose();
        await sb.close({ persist: !opts.inspect });
        clock.dispose();
        resetClients();
        for (const [k, v] of Object.entries(savedEnv)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      },
    };
  } catch (e) {
    stopDriver();
    http.dispose();
    await sandbox?.close();
    clock.dispose();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    throw e;
  }
}
