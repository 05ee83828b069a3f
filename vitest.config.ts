import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One file per core (vitest leaves one core free by default: on 2 cores, one file at a time).
    // Most files spend their time waiting on a sandbox or a child process, and every timing
    // behaviour is tested to hold on a busy machine.
    maxWorkers: availableParallelism(),
    // Every sandbox a test starts through the CLI is handed over at the same moment (a Monday,
    // 09:00 UTC), so timelines and incident ids are the same on every run; in-process tests pass
    // startLocal's \`start\` themselves.
    env: { FAULTLINE_START: '2026-01-05T09:00:00Z' },
  },
});
