import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { RequestListener, Server } from 'node:http';
import { dirname, join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import dynalite from 'dynalite';
import { type ApiFaultRates, ApiFaults } from './api-faults.ts';
import { AlarmEngine } from './backends/alarms.ts';
import { LambdaRegistry } from './backends/lambda.ts';
import { MetricStore } from './backends/metrics.ts';
import { VirtualClock } from './clock.ts';
import type { SandboxCore } from './context.ts';
import { type DatabaseManifest, MANIFEST_KEY, makeWritesDurable } from './durable-level.ts';
import { EventBus } from './events.ts';
import { Rng } from './rng.ts';
import { createSandboxServer, listen } from './server.ts';
import { createCloudWatchService } from './services/cloudwatch.ts';
import { createEC2Service } from './services/ec2.ts';
import { createEventsService } from './services/events.ts';
import { createFISService } from './services/fis.ts';
import { createRoute53Service } from './services/route53.ts';
import { createS3Service } from './services/s3.ts';
import type { SandboxService } from './services/service.ts';
import { createSNSService } from './services/sns.ts';
import { createSSMService } from './services/ssm.ts';
import { createStatesService } from './services/states.ts';
import { type DatabaseSurvey, StateDamagedError, surveyDatabase } from './state-check.ts';
import { lockStateDir } from './state-lock.ts';
import { loadWorldFile, type WorldDefinition } from './world/schema.ts';
import { World } from './world/world.ts';

// Captured when this module loads, before any fake timers are installed.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
/**
 * Real milliseconds a save waits for more changes. A request that changes something asks for a
 * save; a game day makes hundreds of requests a second, and writing the whole state after each
 * (as it was, ~250 times a run) cost more than the run. close() always saves what is left.
 */
const SAVE_AFTER_MS = 500;
/** How long close() lets the requests being served finish. */
const DRAIN_MS = 2000;

export interface SandboxOptions {
  seed?: number;
  /** A world definition, or the path of a world file; the shipped `checkout` world by default. */
  world?: WorldDefinition | string;
  /** Folder for state kept between runs; omit to keep everything in memory. */
  stateDir?: string;
  /** Wipe the state folder first. */
  fresh?: boolean;
  /** The virtual clock to run on; a private one (touching no globals) by default. */
  clock?: VirtualClock;
  /**
   * Start on a damaged state folder: run LevelDB's repair and keep what is left (and, when the
   * state file is missing or unreadable, start its services empty). Without it, damage found at
   * start is refused with a StateDamagedError that names it.
   */
  repair?: boolean;
}

const STATE_FILE = 'sandbox-state.json';
const CLOCK_KEY = 'virtualTime';
/** Where the state file records how many writes the database had taken when it was saved. */
const DATABASE_KEY = 'dynamodb';
/** Where the state file records how many events the bus has published. */
const BUS_KEY = 'eventBus';
const DATABASE_DIR = 'dynamodb';
const HOUR = 3_600_000;

/** The local AWS: a simulated world and the services that expose it, on one virtual clock. */
export class Sandbox {
  readonly core: SandboxCore;
  readonly services: SandboxService[];
  private readonly dynamo: Server;
  private server: Server | undefined;
  private port: number | undefined;
  private inFlight = 0;
  private apiFaults: ApiFaults | undefined;
  private queuedSave: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();

  /** The project's Lambda functions, called in-process by the Step Functions service. */
  readonly lambdas: LambdaRegistry;

  private readonly unlock: () => Promise<void>;
  private readonly durable: ReturnType<typeof makeWritesDurable> | undefined;
  /** Damage found at start and accepted with `repair`, one line each (empty when there was none). */
  readonly repaired: readonly string[];

  private constructor(
    core: SandboxCore,
    services: SandboxService[],
    dynamo: Server,
    lambdas: LambdaRegistry,
    unlock: () => Promise<void>,
    durable: ReturnType<typeof makeWritesDurable> | undefined,
    repaired: string[],
  ) {
    this.unlock = unlock;
    this.durable = durable;
    this.repaired = repaired;
    this.core = core;
    this.lambdas = lambdas;
    this.services = services;
    this.dynamo = dynamo;
  }

  static async create(opts: SandboxOptions = {}): Promise<Sandbox> {
    const def = typeof opts.world === 'object' ? opts.world : await loadWorldFile(opts.world);
    const seed = opts.seed ?? 1;
    const clock = opts.clock ?? VirtualClock.createPrivate();
    const rng = new Rng(seed);
    const bus = new EventBus({ account: def.accountId, region: def.region, now: () => clock.now() });
    const stateDir = opts.stateDir;
    if (stateDir && opts.fresh) await rm(stateDir, { recursive: true, force: true });
    if (stateDir) await mkdir(stateDir, { recursive: true });
    const unlock = stateDir ? await lockStateDir(stateDir) : async () => {};
    try {
      const metrics = new MetricStore();
      const world = new World(def, { clock, rng, bus, metrics });
      const alarms = new AlarmEngine({ clock, bus, metrics, region: def.region, accountId: def.accountId });
      const core: SandboxCore = { clock, rng, bus, world, metrics, alarms, stateDir, links: {} };

      const lambdas = new LambdaRegistry({ region: def.region, accountId: def.accountId, clock });
      const route53 = createRoute53Service(core);
      const services = [
        createCloudWatchService(core),
        createFISService(core),
        createSSMService(core, { dns: route53 }),
        createEC2Service(core),
        route53,
        createS3Service(core),
        createSNSService(core),
        createStatesService(core, lambdas),
        createEventsService(core, {
          lambdas,
          service: (name): SandboxService | undefined =>
            services.find((s: SandboxService) => s.signingName === name),
        }),
      ];
      let durable: ReturnType<typeof makeWritesDurable> | undefined;
      let survey: DatabaseSurvey | undefined;
      let firstStateFile = false;
      if (stateDir) {
        const saved = await loadState(stateDir, opts.repair ?? false);
        firstStateFile = saved.missing;
        survey = await surveyDatabase(stateDir, join(stateDir, DATABASE_DIR), {
          saved: saved.database,
          repair: opts.repair ?? false,
        });
        if (saved.missing && (survey.manifest?.writes ?? 0) > 0) {
          const problem = `${join(stateDir, STATE_FILE)} is missing, while ${join(stateDir, DATABASE_DIR)} holds ${survey.manifest!.writes} write(s), the last at ${new Date(survey.manifest!.at).toISOString()}: the sandbox's clock, FIS templates and experiments, SSM automations, alarm states, Route 53 changes and EventBridge rules are lost (the tables are not)`;
          if (!opts.repair) throw new StateDamagedError(stateDir, [problem]);
          survey.repaired.push(problem);
        }
        bus.continueAfter(saved.published);
        for (const s of services) {
          const state = saved.services[s.signingName];
          // What was running when the state was last saved ends then: the last moment it is known alive.
          if (state !== undefined) s.restore?.(state, { savedAt: saved.time ?? clock.now() });
        }
        durable = makeWritesDurable(join(stateDir, DATABASE_DIR), {
          written: survey.manifest?.writes ?? 0,
          now: () => clock.now(),
        });
      }
      world.start();
      for (const s of services) s.start?.();
      const dynamo = dynalite({
        path: stateDir ? join(stateDir, DATABASE_DIR) : undefined,
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
      });
      // Requests reach dynalite through the sandbox's own endpoint, but dynalite closes its database
      // only from its server's close(), which fails on a server that never listened: let it listen on
      // a loopback port nobody is told about.
      await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
      const sandbox = new Sandbox(core, services, dynamo, lambdas, unlock, durable, survey?.repaired ?? []);
      // A new state folder gets its state file before the database takes a write: a crash in the
      // first moments (saves wait half a second) must not leave a database without it, which the
      // next start would rightly call damage.
      if (firstStateFile) await sandbox.save();
      return sandbox;
    } catch (e) {
      await unlock();
      throw e;
    }
  }

  /**
   * Where virtual time resumes for a sandbox started on a saved state folder: the next whole hour
   * after the time it was saved at, so incidents of successive runs never overlap. Undefined for
   * a new or fresh state.
   */
  static async resumeTime(stateDir: string | undefined, fresh = false): Promise<number | undefined> {
    const t = fresh ? undefined : await Sandbox.savedTime(stateDir);
    return t === undefined ? undefined : (Math.floor(t / HOUR) + 1) * HOUR;
  }

  /**
   * The virtual time a state folder was last saved at (undefined for a new one). Without its state
   * file, the time of the database's last write, so that a folder whose state file was lost never
   * sends the clock back over what its tables already hold.
   */
  static async savedTime(stateDir: string | undefined): Promise<number | undefined> {
    if (!stateDir) return undefined;
    const saved = await readState(join(stateDir, STATE_FILE)).catch((): Record<string, unknown> => ({}));
    const t = saved[CLOCK_KEY];
    if (typeof t === 'number') return t;
    return (await readManifest(join(stateDir, DATABASE_DIR)))?.at;
  }

  get clock(): VirtualClock {
    return this.core.clock;
  }
  get world(): World {
    return this.core.world;
  }

  /** Requests being served right now (virtual-time drivers wait for zero before jumping ahead). */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  service(signingName: string): SandboxService {
    const s = this.services.find((x) => x.signingName === signingName);
    if (!s) throw new Error(`no sandbox service ${signingName}`);
    return s;
  }

  /**
   * Hands on what the last run left unfinished, once what it goes to exists again (call after the
   * project is deployed): events accepted and not yet delivered are delivered, executions it left
   * running are announced as failed. A no-op for a sandbox without a state folder.
   */
  resume(): void {
    for (const s of this.services) s.resume?.();
  }

  /** Starts serving on 127.0.0.1 (port 0 picks a free one) and returns the endpoint URL. */
  async listen(port = 0): Promise<string> {
    const dynamoListener = this.dynamo.listeners('request')[0] as RequestListener;
    this.server = createSandboxServer({
      services: this.services,
      dynamodb: dynamoListener,
      onRequestStart: () => {
        this.inFlight++;
      },
      onRequestEnd: () => {
        this.inFlight--;
        this.queueSave();
      },
      faults: () => this.apiFaults,
    });
    this.port = await listen(this.server, port);
    this.core.links.endpoint = this.endpoint;
    return this.endpoint;
  }

  /**
   * Injects faults into the API from now on (throttling, 5xx, latency), each request's fate drawn
   * from the seed; all zero turns them off. Returns what was injected so far.
   */
  injectApiFaults(rates: ApiFaultRates): ApiFaults {
    this.apiFaults = new ApiFaults(rates, this.core.rng.stream('api-faults'));
    return this.apiFaults;
  }

  /** What the injected faults did so far (nothing when none are injected). */
  apiFaultCounts(): ApiFaults['counts'] | undefined {
    return this.apiFaults?.counts;
  }

  get endpoint(): string {
    if (this.port === undefined) throw new Error('the sandbox is not listening');
    return `http://127.0.0.1:${this.port}`;
  }

  private queueSave(): void {
    if (!this.core.stateDir || this.queuedSave) return;
    // On real time: the process's timers may be running on the virtual clock.
    this.queuedSave = realSetTimeout(() => {
      this.queuedSave = undefined;
      void this.save();
    }, SAVE_AFTER_MS);
    // A save still waiting does not keep the process up: close() saves.
    this.queuedSave.unref();
  }

  /**
   * Writes every service's state to the state folder. Saves run one at a time and each replaces
   * the file atomically (write, then rename), so a reader never sees half a file.
   */
  save(): Promise<void> {
    const dir = this.core.stateDir;
    if (!dir) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      const state: Record<string, unknown> = {};
      const onDisk: (() => void)[] = [];
      for (const s of this.services) {
        if (s.save) state[s.signingName] = s.save();
        const then = s.checkpoint?.();
        if (then) onDisk.push(then);
      }
      state[CLOCK_KEY] = this.core.clock.now();
      if (this.durable) state[DATABASE_KEY] = { writes: this.durable.written() };
      state[BUS_KEY] = { published: this.core.bus.published };
      const file = join(dir, STATE_FILE);
      await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
      await rename(`${file}.tmp`, file);
      for (const then of onDisk) then();
    });
    return this.saving;
  }

  /**
   * Stops serving, saves the state (unless `persist` is false: a look at the state that must not
   * move its clock on) and closes the database, releasing the state folder.
   */
  async close(opts: { persist?: boolean } = {}): Promise<void> {
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Let the requests being served finish first, for a moment at most: a DynamoDB request cut
      // off midway leaves dynalite working on a database closed under it (an uncaught error).
      await until(() => this.inFlight === 0, DRAIN_MS);
      server.closeAllConnections();
      await closed;
    }
    realClearTimeout(this.queuedSave);
    this.queuedSave = undefined;
    if (opts.persist !== false) await this.save();
    await new Promise<void>((resolve) => this.dynamo.close(() => resolve()));
    this.durable?.release();
    await this.unlock();
  }
}

/** Waits (on real time, whatever the process's timers are doing) until `done()`, or `maxMs` passed. */
async function until(done: () => boolean, maxMs: number): Promise<void> {
  const start = performance.now();
  while (!done() && performance.now() - start < maxMs) await new Promise((r) => realSetTimeout(r, 5));
}

async function readState(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StateDamagedError(dirname(file), [
      `${file} cannot be read (${(e as Error).message}): the sandbox's clock, FIS templates and experiments, SSM automations, alarm states, Route 53 changes and EventBridge rules are in it`,
    ]);
  }
}

/** A state folder's saved state, as Sandbox.create restores it. */
interface LoadedState {
  /** Each service's saved state, by signing name. */
  services: Record<string, unknown>;
  time: number | undefined;
  database: { writes: number; savedAt: number | undefined } | undefined;
  /** Events the bus had published. */
  published: number;
  /** There was no state file. */
  missing: boolean;
}

/**
 * Reads the state file. With `repair`, an unreadable one is set aside (renamed, so nothing is
 * destroyed) and the services start empty.
 */
async function loadState(stateDir: string, repair: boolean): Promise<LoadedState> {
  const file = join(stateDir, STATE_FILE);
  let raw: Record<string, unknown>;
  try {
    raw = await readState(file);
  } catch (e) {
    if (!(e instanceof StateDamagedError) || !repair) throw e;
    await rename(file, `${file}.damaged`);
    raw = {};
  }
  const { [CLOCK_KEY]: time, [DATABASE_KEY]: database, [BUS_KEY]: bus, ...services } = raw;
  const published = (bus as { published?: unknown } | undefined)?.published;
  const writes = (database as { writes?: unknown } | undefined)?.writes;
  return {
    services,
    time: typeof time === 'number' ? time : undefined,
    database:
      typeof writes === 'number'
        ? { writes, savedAt: typeof time === 'number' ? time : undefined }
        : undefined,
    published: typeof published === 'number' ? published : 0,
    missing: !existsSync(file),
  };
}

/** The database's manifest (see durable-level.ts), read without opening it for writing; undefined when there is none. */
async function readManifest(path: string): Promise<DatabaseManifest | undefined> {
  if (!existsSync(join(path, 'CURRENT'))) return undefined;
  const db = new ClassicLevel<string, DatabaseManifest>(path, {
    valueEncoding: 'json',
    createIfMissing: false,
  });
  try {
    await db.open();
    return await db.get(MANIFEST_KEY);
  } catch {
    // Damaged or in use: Sandbox.create says which, with the whole story.
    return undefined;
  } finally {
    await db.close();
  }
}
