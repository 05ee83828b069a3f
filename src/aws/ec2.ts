import { EC2Client } from '@aws-sdk/client-ec2';
import { sharedClient } from './shared-client.ts';

/** EC2: the instances an experiment would target (blast radius). */
export const ec2Client = sharedClient((config) => new EC2Client(config));
