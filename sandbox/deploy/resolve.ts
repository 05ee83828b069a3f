import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The parts of a resolved serverless.yml the sandbox deploys. */
export interface ResolvedService {
  service: string;
  provider: { stage: string; region: string; timeout?: number; environment?: Record<string, unknown> };
  functions: Record<
    string,
    { handler: string; name: string; timeout?: number; environment?: Record<string, unknown> }
  >;
  stepFunctions?: {
    stateMachines?: Record<
      string,
      { name: string; definition: Record<string, unknown>; events?: StateMachineEvent[] }
    >;
  };
  resources?: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

/** A state machine event as serverless-step-functions reads it; the sandbox acts on `schedule` ones. */
export interface StateMachineEvent {
  schedule?: ScheduleEvent;
  [type: string]: unknown;
}

/** `schedule: rate(…)`, or the object form (`rate` holds a cron or rate expression either way). */
export type ScheduleEvent =
  | string
  | {
      rate: string;
      enabled?: boolean;
      input?: unknown;
      inputPath?: string;
      inputTransformer?: unknown;
      name?: string;
      description?: string;
      method?: 'eventBus' | 'scheduler';
      timezone?: string;
    };

/** The inputs whose content decides what `serverless print` returns. */
async function inputsDigest(projectDir: string, stage: string): Promise<string> {
  const hash = createHash('sha256').update(stage);
  const files = ['serverless.yml', 'package.json'];
  // The state machines' schedule events are generated from the experiment files, and
  // FAULTLINE_RUNBOOKS from the runbook files (runbooks/bundle.cjs).
  for (const dir of ['state-machines', 'experiments', 'runbooks']) {
    const entries = await readdir(join(projectDir, dir), { withFileTypes: true }).catch(() => []);
    for (const f of entries) if (f.isFile()) files.push(join(dir, f.name));
  }
  for (const f of files.sort()) {
    hash.update(f);
    hash.update(await readFile(join(projectDir, f)));
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * Resolves serverless.yml with the framework itself (`serverless print`), so the sandbox deploys
 * exactly what AWS would get: same names, same environment, same state machine definitions. The
 * framework takes seconds to start, so the result is cached by the content of its inputs.
 */
export async function resolveServerless(projectDir: string, stage = 'dev'): Promise<ResolvedService> {
  const digest = await inputsDigest(projectDir, stage);
  const cacheDir = join(projectDir, 'node_modules', '.cache', 'faultline');
  const cacheFile = join(cacheDir, `serverless-${digest}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as ResolvedService;
  } catch {
    // not cached yet
  }
  const require = createRequire(join(projectDir, 'package.json'));
  const bin = require.resolve('osls/bin/serverless.js');
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'print', '--format', 'json', '--stage', stage], {
      cwd: projectDir,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_ENDPOINT_URL: '',
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `serverless.yml could not be resolved (serverless print exited ${code}):\n${(err || out).trim()}`,
          ),
        );
    });
  });
  const resolved = JSON.parse(text) as ResolvedService;
  await mkdir(cacheDir, { recursive: true });
  // Test files resolve in parallel on a cold cache: write aside, then rename, so no reader ever
  // sees half a file.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(resolved));
  await rename(partial, cacheFile);
  return resolved;
}
