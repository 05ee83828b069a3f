import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_EPOCH } from '../../sandbox/clock.ts';
import { PROJECT_DIR, startLocal } from '../../sandbox/local.ts';
import { dynamoDbClient } from '../../src/aws/dynamodb.ts';
import { TimelineStore } from '../../src/timeline/store.ts';
import { lambdaEsbuildOptions } from './lambda-esbuild.ts';

/**
 * What each function's bundle carries, built as `sls package` builds it: esbuild with the options
 * of custom.esbuild in serverless.yml. (The zip sizes and load times are `npm run bench -- bundle`;
 * packaging takes too long for a test.)
 */

/** The service module of src/aws/ that makes each SDK package's client. */
const CLIENT_MODULES: Record<string, string> = {
  'client-cloudwatch': 'cloudwatch.ts',
  'client-dynamodb': 'dynamodb.ts',
  'client-ec2': 'ec2.ts',
  'client-fis': 'fis.ts',
  'client-route-53': 'route53.ts',
  'client-s3': 's3.ts',
  'client-sfn': 'sfn.ts',
  'client-sns': 'sns.ts',
  'client-ssm': 'ssm.ts',
};

/** The default credential chain's providers and the clients they call (Lambda uses environment credentials). */
const CREDENTIAL_CHAIN =
  /@aws-sdk[\\/](nested-clients|client-sts|client-sso|client-sso-oidc|credential-provider-(ini|sso|web-identity|process|http|login|node))[\\/]/;

interface Built {
  /** Function name → the bundle's non-empty inputs (project-relative paths). */
  inputs: Map<string, string[]>;
  /** Function name → its handler module, e.g. functions/observe.ts. */
  sources: Map<string, string>;
  outdir: string;
  /** The options the bundles were built with. */
  options: esbuild.BuildOptions;
}

async function buildAll(): Promise<Built> {
  const { options, handlers: sources } = await lambdaEsbuildOptions();
  const outdir = await mkdtemp(join(tmpdir(), 'faultline-bundles-'));
  const result = await esbuild.build({
    ...options,
    entryPoints: Object.fromEntries(sources),
    outdir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  });
  const inputs = new Map<string, string[]>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const name = /([^/\\]+)\.mjs$/.exec(file)?.[1];
    if (!name || !output.entryPoint) continue;
    inputs.set(
      name,
      Object.entries(output.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([path]) => path),
    );
  }
  return { inputs, sources, outdir, options };
}

/** The SDK clients a bundle carries: the packages whose client class made it into the output. */
function clientsIn(inputs: string[]): string[] {
  const found = new Set<string>();
  for (const path of inputs) {
    const m = /@aws-sdk[\\/](client-[^\\/]+)[\\/]dist-es[\\/]\w+Client\.js$/.exec(path);
    if (m) found.add(m[1]!);
  }
  return [...found].sort();
}

/**
 * The clients a handler hands its step: the src/aws/ service modules it imports, and dynamodb
 * for the tables whenever it takes the game day's or remediation's deps.
 */
async function clientsImportedBy(handlerFile: string): Promise<string[]> {
  const source = await readFile(join(PROJECT_DIR, handlerFile), 'utf8');
  // A client a handler loads only when it needs it (`import('…/src/aws/fis.ts')`) is in its bundle too.
  const modules = new Set(
    [
      ...source.matchAll(/^import [^;]* from '[./]*src\/aws\/([\w-]+\.ts)';$/gm),
      ...source.matchAll(/\bimport\('[./]*src\/aws\/([\w-]+\.ts)'\)/g),
    ].map((m) => m[1]),
  );
  const usesTables = /from '[./]*src\/(gameday|remediation)\/deps\.ts'/.test(source);
  return Object.entries(CLIENT_MODULES)
    .filter(([pkg, module]) => (pkg === 'client-dynamodb' && usesTables) || modules.has(module))
    .map(([pkg]) => pkg)
    .sort();
}

describe('the Lambda bundles (custom.esbuild in serverless.yml)', () => {
  let built: Built;

  beforeAll(async () => {
    built = await buildAll();
  }, 180_000);
  afterAll(() => rm(built.outdir, { recursive: true, force: true }));

  it('is one bundle per function', () => {
    expect([...built.inputs.keys()].sort()).toEqual([...built.sources.keys()].sort());
    expect(built.inputs.size).toBeGreaterThan(0);
  });

  it('carry only the SDK clients their handler passes to its step', async () => {
    for (const [name, inputs] of built.inputs) {
      expect(clientsIn(inputs), name).toEqual(await clientsImportedBy(built.sources.get(name)!));
    }
  });

  it('carry no credential provider but the environment one (Lambda hands credentials in variables)', () => {
    for (const [name, inputs] of built.inputs) {
      expect(
        inputs.filter((p) => CREDENTIAL_CHAIN.test(p)),
        name,
      ).toEqual([]);
    }
  });

  it("carry none of zod's translations (every module imports zod as `import * as z`)", () => {
    for (const [name, inputs] of built.inputs) {
      const locales = inputs.filter((p) => /zod[\\/]v4[\\/]locales[\\/](?!en\.js)/.test(p));
      expect(
        locales.length,
        `${name}: a module imports zod as \`import { z }\`, which bundles every locale`,
      ).toBe(0);
    }
  });

  it('carry neither the YAML parser nor the cron parser (reading files and planning schedules happen before deploy)', () => {
    for (const [name, inputs] of built.inputs) {
      expect(
        inputs.filter((p) => /node_modules[\\/](yaml|croner)[\\/]/.test(p)),
        name,
      ).toEqual([]);
    }
  });

  it("leave out the SDK's event streams and EC2 metadata lookup, which it loads with import() and faultline never reaches", () => {
    for (const [name, inputs] of built.inputs) {
      // S3's client configures event streams itself (SelectObjectContent), with a static import.
      const leftOut = clientsIn(inputs).includes('client-s3')
        ? /[\\/]credential-provider-imds[\\/]/
        : /[\\/](event-streams|credential-provider-imds)[\\/]/;
      expect(
        inputs.filter((p) => leftOut.test(p)),
        name,
      ).toEqual([]);
    }
  });

  it("take Node's modules with require(), so loading one reads none of its lazy exports", async () => {
    for (const name of built.inputs.keys()) {
      const output = await readFile(join(built.outdir, `${name}.mjs`), 'utf8');
      // esbuild writes its imports with double quotes; the banner's own import is the one allowed.
      expect(output.match(/(?:^|[;}\n])import(?:[\s{*][^;"']*?from)?\s*"[^"]+"/g), name).toBeNull();
    }
    // node:http's ES facade would read its undici exports, loading undici for nothing.
    const script = [
      `await import(${JSON.stringify(pathToFileURL(join(built.outdir, 'openIncident.mjs')).href)});`,
      'process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => /undici|\\bhttps?2?$/.test(m))));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '--eval', script],
      {
        env: { ...process.env, NODE_OPTIONS: '', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      },
    );
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded).toContain('NativeModule https');
    expect(loaded.filter((m) => m.includes('undici') || m.endsWith('http2'))).toEqual([]);
  });

  it('reach AWS on the wire: openIncident, bundled, writes its incident into a sandbox', async () => {
    const local = await startLocal({ seed: 7, start: DEFAULT_EPOCH, time: 'manual' });
    try {
      const experiment = parse(await readFile(join(PROJECT_DIR, 'experiments', 'az-outage.yaml'), 'utf8'));
      const script = [
        `const { handler } = await import(${JSON.stringify(pathToFileURL(join(built.outdir, 'openIncident.mjs')).href)});`,
        `const input = ${JSON.stringify({ gamedayId: 'bundled-smoke', experiment })};`,
        "const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 30000 };",
        'process.stdout.write(JSON.stringify(await handler(input, context)));',
      ].join('\n');
      // The child gets the environment startLocal gave this process: the sandbox's endpoint and tables.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '--eval', script],
        {
          env: { ...process.env, NODE_OPTIONS: '' },
        },
      );
      expect(JSON.parse(stdout)).toMatchObject({ incidentId: 'bundled-smoke' });
      const incident = await new TimelineStore(
        dynamoDbClient(),
        process.env.FAULTLINE_TIMELINE_TABLE!,
      ).findIncident('bundled-smoke');
      expect(incident?.kind).toBe('gameday');
    } finally {
      await local.close();
    }
  });

  it('load node:http2, which only the SDK imports, when it is first used', async () => {
    const outfile = join(built.outdir, 'http2-on-use.mjs');
    await esbuild.build({
      ...built.options,
      stdin: {
        contents: [
          "import http2, { constants } from 'node:http2';",
          'const loaded = () => process.moduleLoadList.includes("NativeModule http2");',
          'export const before = loaded();',
          'export const header = constants.HTTP2_HEADER_PATH;',
          'export const connect = typeof http2.connect;',
          'export const after = loaded();',
        ].join('\n'),
        resolveDir: PROJECT_DIR,
      },
      outfile,
    });
    const script = `process.stdout.write(JSON.stringify(await import(${JSON.stringify(pathToFileURL(outfile).href)})));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '--eval', script],
      {
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ before: false, header: ':path', connect: 'function', after: true });
  });

  it('map faultline code in a stack trace and leave library frames unmapped', async () => {
    const name = 'openIncident';
    const bundle = join(built.outdir, `${name}.mjs`);
    const map = JSON.parse(await readFile(`${bundle}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.includes('src/runtime/handler.ts'))).toBe(true);
    expect(map.sources.filter((s) => s.includes('node_modules'))).toEqual([]);

    // An invalid input fails in src/runtime/handler.ts, under middy's frames.
    const script = [
      `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
      "try { await handler({}, { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 }); }",
      'catch (e) { process.stdout.write(e.stack); }',
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '--eval', script],
      { env: { ...process.env, NODE_OPTIONS: '', POWERTOOLS_LOG_LEVEL: 'SILENT' } },
    );
    const frames = stdout.split('\n').filter((l) => l.trim().startsWith('at '));
    expect(stdout).toMatch(/^InvalidInputError: OpenIncident: invalid input/);
    expect(frames[0]).toMatch(/src[\\/]runtime[\\/]handler\.ts:\d+:\d+/);
    // middy's frames: the bundle's own position, not a faultline line they do not belong to.
    expect(frames.some((f) => new RegExp(`${name}\\.mjs:\\d+:\\d+`).test(f))).toBe(true);
  });
});
