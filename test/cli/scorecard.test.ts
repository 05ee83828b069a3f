import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

// The scorecard's content is tested in-process (test/scorecard/); this runs the command itself once.
describe('faultline scorecard', () => {
  it('refuses an experiments folder that does not exist with one line, exit 2, before reading any state', async () => {
    const r = await runCli([
      'scorecard',
      'checkout',
      '--experiments',
      '/nonexistent/experiments',
      '--state-dir',
      '/nonexistent/state',
    ]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("faultline: --experiments '/nonexistent/experiments': no such folder\n");
    expect(r.code).toBe(2);
  });
});
