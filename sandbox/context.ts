import type { AlarmEngine } from './backends/alarms.ts';
import type { MetricStore } from './backends/metrics.ts';
import type { VirtualClock } from './clock.ts';
import type { EventBus } from './events.ts';
import type { Rng } from './rng.ts';
import type { SsmPort } from './services/ssm/port.ts';
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
  /** What exists only once the sandbox is up: its endpoint, and services other services call. */
  links: SandboxLinks;
}

export interface SandboxLinks {
  /** The sandbox's own endpoint once it listens (SSM Automation's aws:executeAwsApi calls it). */
  endpoint?: string;
  /** Systems Manager, for FIS's SSM actions. */
  ssm?: SsmPort;
}
