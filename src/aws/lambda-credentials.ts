import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { defaultProvider as sdkDefaultProvider } from '@aws-sdk/credential-provider-node';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (an esbuild alias in
 * serverless.yml): Lambda hands a function its role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the rest of the default chain (SSO, profiles,
 * web identity, STS, instance metadata) is ~100–250 KB of every bundle that a Lambda never runs.
 * The CLI, the tests and the sandbox import the SDK unbundled and keep the whole chain.
 */
export const defaultProvider: typeof sdkDefaultProvider = (init) => fromEnv(init);
