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
  bus.publish(
    'aws.rds',
    'RDS DB Cluster Event',
    {
      EventCategories: [e.category],
      SourceType: 'CLUSTER',
      SourceArn: e.cluster.arn,
      Date: new Date(e.at).toISOString(),
      Message: e.message,
      SourceIdentifier: e.cluster.id,
      EventID: e.eventId,
    },
    [e.cluster.arn, ...(e.also ?? [])],
  );
}
