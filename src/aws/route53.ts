import { Route53Client } from '@aws-sdk/client-route-53';
import { sharedClient } from './shared-client.ts';

/** Route 53: health checks and failover record changes. A global service whose API lives in us-east-1. */
export const route53Client = sharedClient((config) => new Route53Client({ ...config, region: 'us-east-1' }));
