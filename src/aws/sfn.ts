import { SFNClient } from '@aws-sdk/client-sfn';
import { sharedClient } from './shared-client.ts';

/** Step Functions: executions and task tokens (the CLI, and the reconcile of ended executions). */
export const sfnClient = sharedClient((config) => new SFNClient(config));
