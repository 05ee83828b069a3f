import { SFNClient } from '@aws-sdk/client-sfn';
import { sharedClient } from './shared-client.ts';

/** Step Functions: executions and task tokens (the CLI; no handler calls it). */
export const sfnClient = sharedClient((config) => new SFNClient(config));
