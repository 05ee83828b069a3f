import {
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  ListTagsForResourcesCommand,
  NoSuchHealthCheck,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { awsCall } from '../aws/errors.ts';

const HEALTH_CHECK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** ListTagsForResources takes at most 10 ids per call. */
const IDS_PER_TAG_CALL = 10;

/**
 * Finds the health checks an experiment names: by id, or by their `Name` tag (what the Route 53
 * console shows as the name). A reference nothing answers to maps to undefined.
 */
export async function resolveHealthChecks(
  route53: Route53Client,
  refs: readonly string[],
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  const byName: string[] = [];
  for (const ref of new Set(refs)) {
    if (HEALTH_CHECK_ID.test(ref)) out.set(ref, (await healthCheckExists(route53, ref)) ? ref : undefined);
    else byName.push(ref);
  }
  if (byName.length === 0) return out;
  const names = await healthCheckNames(route53);
  for (const ref of byName) {
    const ids = [...names].filter(([, name]) => name === ref).map(([id]) => id);
    // Two checks with the same Name tag: the first by id, so the choice is the same on every run.
    out.set(ref, ids.sort()[0]);
  }
  return out;
}

async function healthCheckExists(route53: Route53Client, id: string): Promise<boolean> {
  try {
    await awsCall(`get health check ${id}`, () =>
      route53.send(new GetHealthCheckCommand({ HealthCheckId: id })),
    );
    return true;
  } catch (e) {
    if (e instanceof NoSuchHealthCheck) return false;
    throw e;
  }
}

/** Every health check's id → its Name tag (checks without one are absent). */
async function healthCheckNames(route53: Route53Client): Promise<Map<string, string>> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await awsCall('list health checks', () =>
      route53.send(new ListHealthChecksCommand({ Marker: marker })),
    );
    for (const hc of page.HealthChecks ?? []) if (hc.Id) ids.push(hc.Id);
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += IDS_PER_TAG_CALL) {
    const chunk = ids.slice(i, i + IDS_PER_TAG_CALL);
    const out = await awsCall('list health check tags', () =>
      route53.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: chunk })),
    );
    for (const set of out.ResourceTagSets ?? []) {
      const name = set.Tags?.find((t) => t.Key === 'Name')?.Value;
      if (set.ResourceId && name !== undefined) names.set(set.ResourceId, name);
    }
  }
  return names;
}

/**
 * Whether Route 53 considers the health check healthy now: as Route 53 decides it, healthy when
 * more than 18 % of its checkers last saw success.
 */
export async function healthCheckHealthy(route53: Route53Client, id: string): Promise<boolean> {
  const out = await awsCall(`get health check status ${id}`, () =>
    route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })),
  );
  const observations = out.HealthCheckObservations ?? [];
  if (observations.length === 0) return false;
  const healthy = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
  return healthy / observations.length > 0.18;
}
