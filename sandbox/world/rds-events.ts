import type { EventBus } from '../events.ts';

/** One of a cluster's failover events (`failover`, `global-failover`), as RDS delivers it to EventBridge. */
export function publishClusterEvent(
  bus: EventBus,
  e: {
    category: 'failover' | 'global-failover';
    cluster: { id: string; arn: string };
    at: number;
    eventId: string;
    message: string;
    /** ARNs beyond the cluster's own (a global failover's global cluster). */
    also?: string[];
  },
): void {
  publish(bus, 'RDS DB Cluster Event', 'CLUSTER', e.cluster, e, e.also);
}

/** One of a DB instance's events (`availability`: restarted), as RDS delivers it to EventBridge. */
export function publishInstanceEvent(
  bus: EventBus,
  e: {
    category: 'availability';
    instance: { id: string; arn: string };
    at: number;
    eventId: string;
    message: string;
  },
): void {
  publish(bus, 'RDS DB Instance Event', 'DB_INSTANCE', e.instance, e);
}

function publish(
  bus: EventBus,
  detailType: string,
  sourceType: string,
  source: { id: string; arn: string },
  e: { category: string; at: number; eventId: string; message: string },
  also: string[] = [],
): void {
  bus.publish(
    'aws.rds',
    detailType,
    {
      EventCategories: [e.category],
      SourceType: sourceType,
      SourceArn: source.arn,
      Date: new Date(e.at).toISOString(),
      Message: e.message,
      SourceIdentifier: source.id,
      EventID: e.eventId,
    },
    [source.arn, ...also],
  );
}
