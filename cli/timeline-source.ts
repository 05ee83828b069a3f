import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveServerless } from '../sandbox/deploy/resolve.ts';
import { PROJECT_DIR } from '../sandbox/project-dir.ts';
import { dynamoDbClient } from '../src/aws/dynamodb.ts';
import { resetClients } from '../src/aws/shared-client.ts';
import { quote } from '../src/input/quote.ts';
import { ReportInputError } from '../src/report/errors.ts';
import type { Incident, TimelineEvent } from '../src/timeline/event.ts';
import { TimelineStore } from '../src/timeline/store.ts';
import { UsageError } from './errors.ts';
import type { TimelineSourceFlags } from './timeline-options.ts';

/**
 * Runs `use` with the timeline store of the source the flags choose (timeline-options.ts: the state
 * folder, a running sandbox, or AWS), and closes the source afterwards.
 */
export async function withTimelineStore<T>(
  flags: TimelineSourceFlags,
  use: (store: TimelineStore) => Promise<T>,
): Promise<T> {
  if (flags.aws && flags.endpoint) throw new UsageError('--aws and --endpoint exclude each other');
  if (flags.aws || flags.endpoint) {
    if (flags.endpoint) pointAt(flags.endpoint);
    return use(new TimelineStore(dynamoDbClient(), await tableName(flags.stage)));
  }
  const stateDir = resolve(flags.stateDir);
  // Opening a folder that does not exist would create an empty sandbox there: say what to do instead.
  if (!existsSync(join(stateDir, 'dynamodb'))) {
    throw new UsageError(
      `no sandbox state in ${flags.stateDir}: run a game day first (faultline gameday az-outage), ` +
        'pass --state-dir, or read a running sandbox with --endpoint or AWS with --aws',
    );
  }
  // Loaded here: --endpoint and --aws read a table and need none of the sandbox.
  const { startLocal } = await import('../sandbox/local.ts');
  const stack = await startLocal({ stateDir, stage: flags.stage, time: 'manual', inspect: true });
  try {
    return await use(new TimelineStore(dynamoDbClient(), process.env.FAULTLINE_TIMELINE_TABLE!));
  } finally {
    await stack.close();
  }
}

/** The incident and its whole timeline; an unknown incident is a UsageError (exit 2) naming it. */
export async function readIncident(
  store: TimelineStore,
  incidentId: string,
): Promise<{ incident: Incident; events: TimelineEvent[] }> {
  const incident = await findIncident(store, incidentId);
  return { incident, events: await store.all(incidentId) };
}

export async function findIncident(store: TimelineStore, incidentId: string): Promise<Incident> {
  const incident = await store.findIncident(incidentId);
  if (!incident) {
    throw new UsageError(`no incident ${quote(incidentId)} (faultline incidents lists them)`);
  }
  return incident;
}

/** Renders with `render`; a timeline that cannot be reported on (e.g. it references unknown ids) is one clear error, exit 2. */
export function reportable<T>(incidentId: string, render: () => T): T {
  try {
    return render();
  } catch (e) {
    if (e instanceof ReportInputError) throw new UsageError(`incident '${incidentId}': ${e.message}`);
    throw e;
  }
}

/** Points this process's AWS clients at a sandbox (which takes any credentials: nobody has to invent some). */
export function pointAt(endpoint: string): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION ??= process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'sandbox';
    process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  }
  resetClients();
}

/** FAULTLINE_TIMELINE_TABLE when set (as in a Lambda), else the name serverless.yml gives the stage's table. */
export async function tableName(stage: string): Promise<string> {
  const fromEnv = process.env.FAULTLINE_TIMELINE_TABLE;
  if (fromEnv) return fromEnv;
  const service = await resolveServerless(PROJECT_DIR, stage);
  const table = service.provider.environment?.FAULTLINE_TIMELINE_TABLE;
  if (typeof table !== 'string' || table === '') {
    throw new UsageError(
      'serverless.yml does not name the timeline table (provider.environment.FAULTLINE_TIMELINE_TABLE)',
    );
  }
  return table;
}
