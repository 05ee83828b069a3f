import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientConfig, sharedClient } from './shared-client.ts';

/** CloudWatch: alarm states and history, metric data. */
export const cloudWatchClient = sharedClient(() => new CloudWatchClient(clientConfig));
