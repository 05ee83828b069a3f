import { SNSClient } from '@aws-sdk/client-sns';
import { clientConfig, sharedClient } from './shared-client.ts';

/** SNS: notifications and approval requests. */
export const snsClient = sharedClient(() => new SNSClient(clientConfig));
