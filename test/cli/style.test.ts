import { describe, expect, it } from 'vitest';
import { painter } from '../../cli/style.ts';

describe('painter', () => {
  it('colours for a terminal that takes colour', () => {
    expect(painter(true)(['bold', 'red'], 'DEVIATED')).toBe(
      '\u001b[1m\u001b[31mDEVIATED\u001b[39m\u001b[22m',
    );
  });

  it('leaves text plain for a pipe, a file, or NO_COLOR (no colour decided by main.ts)', () => {
    expect(painter(false)('red', 'DEVIATED')).toBe('DEVIATED');
    expect(painter(undefined)('red', 'DEVIATED')).toBe('DEVIATED');
  });
});
