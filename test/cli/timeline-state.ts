import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Incident, TimelineEvent } from '../../src/timeline/event.ts';

export interface StoredIncident {
  incident: Incident;
  events: readonly TimelineEvent[];
  /** Record the report's verdict on the incident, as a game day's RenderReport step does. */
  withVerdict?: boolean;
}

const WRITER = fileURLToPath(new URL('./write-timeline-state.ts', import.meta.url));

/**
 * A sandbox state folder holding these incidents and timelines, written through the TimelineStore
 * into a local stack by a separate process that then closes it and exits: the commands under test
 * read a persisted state, as after a game day. (A separate process, because this one would keep
 * the state's database locked after closing the stack: the sandbox's DynamoDB is never listened
 * on by itself, so its close does not reach the database.)
 */
export async function stateWith(incidents: readonly StoredIncident[]): Promise<{
  dir: string;
  stateDir: string;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'faultline-cli-'));
  const stateDir = join(dir, '.faultline');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, stateDir], { stdio: ['pipe', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`writing the state failed (${code}): ${stderr}`)),
    );
    child.stdin.end(JSON.stringify(incidents));
  });
  return { dir, stateDir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
