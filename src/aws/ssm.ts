import { SSMClient } from '@aws-sdk/client-ssm';
import { sharedClient } from './shared-client.ts';

/** SSM: the kill-switch and remediation-switch parameters, and Automation executions. */
export const ssmClient = sharedClient((config) => new SSMClient(config));
