import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublishedMessage } from './model.ts';

/**
 * Appends each published message as a JSON line to `<stateDir>/sns/<topic name>.jsonl`, so that a
 * person (or a test) can read what would have been delivered. Writes to one file happen in order.
 */
export class MessageJournal {
  private readonly dir: string | undefined;
  private readonly pending = new Map<string, Promise<void>>();

  constructor(stateDir: string | undefined) {
    this.dir = stateDir && join(stateDir, 'sns');
  }

  append(topicName: string, message: PublishedMessage): Promise<void> {
    const dir = this.dir;
    if (!dir) return Promise.resolve();
    const file = join(dir, `${topicName}.jsonl`);
    const previous = this.pending.get(file) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(dir, { recursive: true });
      await appendFile(file, `${JSON.stringify(message)}\n`);
    });
    // A failed write must not block the ones after it; the caller still sees its own failure.
    this.pending.set(
      file,
      next.catch(() => undefined),
    );
    return next;
  }
}
