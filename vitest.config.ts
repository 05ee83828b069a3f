import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every sandbox a test starts through the CLI is handed over at the same moment (a Monday,
    // 09:00 UTC), so timelines and incident ids are the same on every run; in-process tests pass
    // startLocal's \`start\` themselves.
    env: { FAULTLINE_START: '2026-01-05T09:00:00Z' },
  },
});
