import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as esbuild from 'esbuild';
import { resolveServerless } from '../../sandbox/deploy/resolve.ts';
import { PROJECT_DIR } from '../../sandbox/local.ts';

/** serverless-esbuild's own options, which it takes out before calling esbuild. */
const PLUGIN_OPTIONS = ['exclude', 'outputFileExtension', 'packager', 'nativeZip', 'concurrency'];

/**
 * esbuild's options for the Lambda bundles as `sls package` passes them: custom.esbuild of
 * serverless.yml (banner, alias, mainFields, minify, source maps, …) with its plugins loaded, so
 * a test bundling code is bundling it the way the functions are.
 */
export async function lambdaEsbuildOptions(): Promise<{
  options: esbuild.BuildOptions;
  /** Function name → its handler module, e.g. functions/observe.ts. */
  handlers: Map<string, string>;
}> {
  const service = (await resolveServerless(PROJECT_DIR)) as Awaited<ReturnType<typeof resolveServerless>> & {
    custom: { esbuild: Record<string, unknown> };
  };
  const { plugins, ...settings } = service.custom.esbuild;
  for (const option of PLUGIN_OPTIONS) delete settings[option];
  const handlers = new Map(
    Object.entries(service.functions).map(([name, fn]) => [name, `${fn.handler.replace(/\.[^.]+$/, '')}.ts`]),
  );
  return {
    options: {
      ...(settings as esbuild.BuildOptions),
      absWorkingDir: PROJECT_DIR,
      plugins: createRequire(import.meta.url)(resolve(PROJECT_DIR, String(plugins))),
      logLevel: 'silent',
    },
    handlers,
  };
}
