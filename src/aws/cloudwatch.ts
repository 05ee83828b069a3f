import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { sharedClient } from './shared-client.ts';

/** CloudWatch: alarm states and history, metric data. */
export const cloudWatchClient = sharedClient((config) => new CloudWatchClient(config));
