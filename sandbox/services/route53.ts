import type { SandboxCore } from '../context.ts';
import { restXmlProtocol, type XmlRoute } from '../protocol/rest-xml.ts';
import { type ChangeStatus, changeStatus, requireChange } from './route53/changes.ts';
import { HealthCheckEngine } from './route53/checkers.ts';
import type { Route53Context } from './route53/context.ts';
import { type FailoverRequest, failOverRecord } from './route53/failover.ts';
import {
  createHealthCheck,
  deleteHealthCheck,
  getHealthCheck,
  getHealthCheckCount,
  healthCheckObservations,
  listHealthChecks,
  updateHealthCheck,
} from './route53/health-checks.ts';
import { changeResourceRecordSets, getChange, listResourceRecordSets } from './route53/records.ts';
import { type DnsAnswer, resolve } from './route53/resolver.ts';
import { Route53State } from './route53/state.ts';
import { changeTagsForResource, listTagsForResource, listTagsForResources } from './route53/tags.ts';
import { ROUTE53_XMLNS } from './route53/wire.ts';
import { ensureHealthAlarms, setUpWorldDns } from './route53/world-dns.ts';
import {
  createHostedZone,
  deleteHostedZone,
  getHostedZone,
  listHostedZones,
  listHostedZonesByName,
} from './route53/zones.ts';
import type { SandboxService } from './service.ts';

export type { DnsAnswer } from './route53/resolver.ts';

export interface Route53Service extends SandboxService {
  /** What Route 53's name servers answer for `name` now (failover and health checks applied). */
  resolve(name: string, type?: string): DnsAnswer | undefined;
  /** Whether Route 53 considers the health check healthy now; undefined for an unknown id. */
  healthCheckHealthy(id: string): boolean | undefined;
  /**
   * For a runbook's script running in the sandbox (SSM Automation): moves a failover pair over, as
   * ChangeResourceRecordSets would, and returns the change's id. Throws Route 53's errors.
   */
  failOver(req: FailoverRequest): string;
  /** GetChange's status of a change; throws NoSuchChange for an unknown id. */
  changeStatus(id: string): ChangeStatus;
}

/**
 * Route 53 (restXml under /2013-04-01/): hosted zones, record sets with propagation, health checks,
 * and tags on health checks and hosted zones.
 */
export function createRoute53Service(core: SandboxCore): Route53Service {
  const state = new Route53State();
  let dnsRegion: string | undefined;
  const engine = new HealthCheckEngine(core, state, () => followDns());
  const ctx: Route53Context = {
    core,
    state,
    propagation: core.rng.stream('route53'),
    checkers: engine,
    propagated: () => followDns(),
  };
  const picks = core.rng.stream('route53.resolve');

  /** Keeps the world told which region the service's DNS name answers with. */
  function followDns(): void {
    const dns = core.world.def.dns;
    if (!dns) return;
    const region = resolve(ctx, picks, dns.recordName, 'A')?.region;
    if (region === undefined || region === dnsRegion) return;
    dnsRegion = region;
    core.world.setDnsActiveRegion(region);
  }

  const base = '/2013-04-01';
  const routes: XmlRoute[] = [
    { method: 'POST', path: `${base}/hostedzone`, handler: (body) => createHostedZone(ctx, body) },
    { method: 'GET', path: `${base}/hostedzone`, handler: (_b, _p, req) => listHostedZones(ctx, req.query) },
    {
      method: 'GET',
      path: `${base}/hostedzonesbyname`,
      handler: (_b, _p, req) => listHostedZonesByName(ctx, req.query),
    },
    {
      method: 'GET',
      path: `${base}/hostedzonecount`,
      handler: () => ({
        GetHostedZoneCountResponse: { '@_xmlns': ROUTE53_XMLNS, HostedZoneCount: state.zones.size },
      }),
    },
    { method: 'GET', path: `${base}/hostedzone/{Id}`, handler: (_b, p) => getHostedZone(ctx, p.Id!) },
    { method: 'DELETE', path: `${base}/hostedzone/{Id}`, handler: (_b, p) => deleteHostedZone(ctx, p.Id!) },
    {
      method: 'POST',
      path: `${base}/hostedzone/{Id}/rrset`,
      handler: (body, p, req) => changeResourceRecordSets(ctx, p.Id!, body, req.requestId),
    },
    {
      method: 'GET',
      path: `${base}/hostedzone/{Id}/rrset`,
      handler: (_b, p, req) => listResourceRecordSets(ctx, p.Id!, req.query),
    },
    { method: 'GET', path: `${base}/change/{Id}`, handler: (_b, p) => getChange(ctx, p.Id!) },
    { method: 'POST', path: `${base}/healthcheck`, handler: (body) => createHealthCheck(ctx, body) },
    {
      method: 'GET',
      path: `${base}/healthcheck`,
      handler: (_b, _p, req) => listHealthChecks(ctx, req.query),
    },
    { method: 'GET', path: `${base}/healthcheckcount`, handler: () => getHealthCheckCount(ctx) },
    { method: 'GET', path: `${base}/healthcheck/{Id}`, handler: (_b, p) => getHealthCheck(ctx, p.Id!) },
    {
      method: 'POST',
      path: `${base}/healthcheck/{Id}`,
      handler: (body, p) => updateHealthCheck(ctx, p.Id!, body),
    },
    { method: 'DELETE', path: `${base}/healthcheck/{Id}`, handler: (_b, p) => deleteHealthCheck(ctx, p.Id!) },
    {
      method: 'GET',
      path: `${base}/healthcheck/{Id}/status`,
      handler: (_b, p) =>
        healthCheckObservations(ctx, p.Id!, 'GetHealthCheckStatus', (c) => engine.observations(c)),
    },
    {
      method: 'GET',
      path: `${base}/healthcheck/{Id}/lastfailurereason`,
      handler: (_b, p) =>
        healthCheckObservations(ctx, p.Id!, 'GetHealthCheckLastFailureReason', (c) => engine.lastFailures(c)),
    },
    {
      method: 'POST',
      path: `${base}/tags/{ResourceType}/{ResourceId}`,
      handler: (body, p) => changeTagsForResource(ctx, p.ResourceType!, p.ResourceId!, body),
    },
    {
      method: 'GET',
      path: `${base}/tags/{ResourceType}/{ResourceId}`,
      handler: (_b, p) => listTagsForResource(ctx, p.ResourceType!, p.ResourceId!),
    },
    {
      method: 'POST',
      path: `${base}/tags/{ResourceType}`,
      handler: (body, p) => listTagsForResources(ctx, p.ResourceType!, body),
    },
  ];

  return {
    signingName: 'route53',
    handler: restXmlProtocol({ routes, errorStyle: 'route53' }),
    save: () => state.save(),
    restore: (saved) => state.restore(saved),
    start: () => {
      setUpWorldDns(ctx);
      engine.start();
      ensureHealthAlarms(ctx);
      followDns();
    },
    resolve: (name, type) => resolve(ctx, picks, name, type),
    healthCheckHealthy: (id) => {
      const check = state.healthChecks.get(id);
      return check ? engine.isHealthy(check) : undefined;
    },
    failOver: (req) => failOverRecord(ctx, req).id,
    changeStatus: (id) => changeStatus(requireChange(ctx, id), core.clock.now()),
  };
}
