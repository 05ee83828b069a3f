import { createRequire } from 'node:module';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { resolveServerless } from '../../sandbox/deploy/resolve.ts';
import { PROJECT_DIR } from '../../sandbox/local.ts';

const require = createRequire(import.meta.url);
const definitions = require('../../state-machines/definitions.cjs') as {
  loadDefinitions(): Record<string, Record<string, unknown>>;
  referencedFunctions(def: unknown): string[];
};

/** The ASL files are deployed as they are: each must be valid ASL, and each Task must call a declared function. */
describe('state machines', () => {
  const all = definitions.loadDefinitions();

  it('finds the game-day state machine', () => {
    expect(Object.keys(all)).toContain('gameday');
  });

  for (const [name, def] of Object.entries(all)) {
    it(`${name}.asl.json is valid ASL`, () => {
      const result = aslValidator(def as never);
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });

    it(`${name}.asl.json calls only functions serverless.yml declares`, async () => {
      const service = await resolveServerless(PROJECT_DIR);
      const declared = Object.keys(service.functions);
      const referenced = definitions.referencedFunctions(def);
      expect(referenced.length).toBeGreaterThan(0);
      expect(referenced.filter((f) => !declared.includes(f))).toEqual([]);
    });
  }

  it('every failure path of the game day stops the experiment first', () => {
    const states = all.gameday!.States as Record<string, { Type: string; Catch?: { Next: string }[] }>;
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    const catchers = tasks.flatMap(([n, s]) => (s.Catch ?? []).map((c) => [n, c.Next] as const));
    // Every catch after the experiment may have started goes to EmergencyStop (the emergency path's
    // own states catch into the report instead, so a failing report cannot loop).
    const emergencyPath = new Set(['EmergencyStop', 'ReportFailure', 'NotifyFailure']);
    for (const [state, next] of catchers) {
      if (!emergencyPath.has(state)) expect(next, state).toBe('EmergencyStop');
    }
    const unprotected = tasks
      .filter(([n, s]) => !emergencyPath.has(n) && !(s.Catch ?? []).length)
      .map(([n]) => n);
    // Only the notifications at the very end go without a Catch: the report is already written.
    expect(unprotected.sort()).toEqual(['Notify', 'NotifyRefused']);
  });
});
