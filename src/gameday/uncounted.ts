import type { BlastRadius } from './blast-radius.ts';

/*
 * What a blast radius leaves uncounted, in words: pure and light (no SDK), so that the preflight
 * check and the CLI's progress line say it from one piece of code.
 */

/** `session-cache (aws:elasticache:replicationgroup), az-tasks (aws:ecs:task)`. */
export function uncountedText(radius: BlastRadius): string | undefined {
  const entries = Object.entries(radius.uncounted ?? {});
  return entries.length === 0 ? undefined : entries.map(([name, type]) => `${name} (${type})`).join(', ');
}

/** Whether nothing the fault targets is counted: the figure would read 0 of N for a fault that hits. */
export function nothingCounted(radius: BlastRadius): boolean {
  return Object.keys(radius.targets).length === 0 && radius.uncounted !== undefined;
}
