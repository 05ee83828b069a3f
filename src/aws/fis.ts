import { FisClient } from '@aws-sdk/client-fis';
import { sharedClient } from './shared-client.ts';

/** FIS: experiment templates, experiments and their targets. */
export const fisClient = sharedClient((config) => new FisClient(config));
