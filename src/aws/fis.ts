import { FisClient } from '@aws-sdk/client-fis';
import { clientConfig, sharedClient } from './shared-client.ts';

/** FIS: experiment templates, experiments and their targets. */
export const fisClient = sharedClient(() => new FisClient(clientConfig));
