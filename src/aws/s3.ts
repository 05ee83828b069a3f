import { S3Client } from '@aws-sdk/client-s3';
import { sharedClient } from './shared-client.ts';

/** S3: the report bucket. Path-style: the sandbox serves every bucket on one host. */
export const s3Client = sharedClient((config) => new S3Client({ ...config, forcePathStyle: true }));
