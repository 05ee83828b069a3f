import type { AlarmEngine } from './backends/alarms.ts';
import type { MetricStore } from './backends/metrics.ts';
import type { VirtualClock } from './clock.ts';
import type { EventBus } from './events.ts';
import type { Rng } from './rng.ts';
import type { World } from './world/world.ts';

/** What every sandbox service is built from: one clock, one world, one event bus, one metric store. */
export interface SandboxCore {
  clock: VirtualClock;
  rng: Rng;
  bus: EventBus;
  world: World;
  metrics: MetricStore;
  /** CloudWatch alarms: FIS reads their state for stop conditions. */
  alarms: AlarmEngine;
  /** Folder that holds the sandbox's state between runs; undefined keeps everything in memory. */
  stateDir: string | undefined;
}
