import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Raised when another live process has the state folder open. */
export class StateInUseError extends Error {
  constructor(stateDir: string, pid: number) {
    super(
      `the state folder ${stateDir} is in use by another faultline process (pid ${pid}): ` +
        'stop it, talk to it with --endpoint, or use another --state-dir',
    );
    this.name = 'StateInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the state folder for this process. The database under it admits one process at a time;
 * without this a second one would fail deep inside the database with an error nobody can act on.
 * A lock left by a process that died is taken over. Returns the release function.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const file = join(stateDir, 'LOCK.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid))
        throw new StateInUseError(stateDir, pid);
      await rm(file, { force: true });
    }
  }
  throw new Error(`cannot lock ${stateDir}`);
}
