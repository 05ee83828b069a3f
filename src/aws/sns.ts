import { SNSClient } from '@aws-sdk/client-sns';
import { sharedClient } from './shared-client.ts';

/** SNS: notifications and approval requests. */
export const snsClient = sharedClient((config) => new SNSClient(config));
