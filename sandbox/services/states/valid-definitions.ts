import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../project-dir.ts';

const CACHE_DIR = join(PROJECT_DIR, 'node_modules', '.cache', 'faultline', 'valid-definitions');
const VALIDATOR = `asl-validator ${createRequire(import.meta.url)('asl-validator/package.json').version}`;

/** Definitions found valid in this process (a test starts many sandboxes). */
const knownValid = new Set<string>();

/**
 * Runs `validate` (which throws on an invalid definition) unless this definition text has passed it
 * before, with the same asl-validator, in this process or an earlier one. asl-validator compiles its
 * JSON schemas anew on every call (150–250 ms), and every start of the sandbox deploys the same
 * state machines, so the verdict is kept by content under node_modules/.cache. Only "valid" is
 * kept: an invalid definition is checked again each time, and gets its error again.
 */
export function validateOnce(text: string, validate: () => void): void {
  const key = createHash('sha256').update(VALIDATOR).update('\n').update(text).digest('hex');
  if (knownValid.has(key)) return;
  const file = join(CACHE_DIR, key);
  if (!existsSync(file)) {
    validate();
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(file, '');
    } catch {
      // A cache that cannot be written only costs the next process the validation.
    }
  }
  knownValid.add(key);
}
