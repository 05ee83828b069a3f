import { EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, sharedClient } from './shared-client.ts';

/** EC2: the instances an experiment would target (blast radius). */
export const ec2Client = sharedClient(() => new EC2Client(clientConfig));
