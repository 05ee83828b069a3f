import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../sandbox/local.ts';
import { lambdaEsbuildOptions } from './lambda-esbuild.ts';

/**
 * The bundles keep the registration of an AWS SDK error only where a module imports its class
 * (bundling/esbuild-plugins.cjs). A bundle built with our plugins answers SSM error responses of a
 * fake HTTP handler: the error it imports must still arrive as its own class (`instanceof` works),
 * one it does not import arrives as the service's base exception, under the error's name.
 */

/** A handler that imports ParameterNotFound and nothing else of SSM's errors. */
const ENTRY = `
import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';

/** What GetParameter throws when SSM answers with the error \`code\`. */
export async function failWith(code) {
  const body = new TextEncoder().encode(JSON.stringify({ __type: 'com.amazonaws.ssm#' + code, message: code }));
  const client = new SSMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: { statusCode: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body },
      }),
    },
  });
  try {
    await client.send(new GetParameterCommand({ Name: '/x' }));
  } catch (e) {
    return {
      name: e.name,
      message: e.message,
      isParameterNotFound: e instanceof ParameterNotFound,
      isServiceException: e instanceof SSMServiceException,
      isBaseException: e.constructor === SSMServiceException,
    };
  }
  throw new Error('GetParameter did not fail');
}
`;

/**
 * Built with the options of custom.esbuild in serverless.yml, unminified and without a source map:
 * the tests read the registrations by the classes' names.
 */
async function bundle(
  outdir: string,
  entry: string,
): Promise<{ file: string; text: string; warnings: string[] }> {
  const { options } = await lambdaEsbuildOptions();
  const result = await esbuild.build({
    ...options,
    minify: false,
    sourcemap: false,
    stdin: { contents: entry, resolveDir: PROJECT_DIR, sourcefile: 'entry.js', loader: 'js' },
    outfile: join(outdir, 'entry.mjs'),
  });
  const file = join(outdir, 'entry.mjs');
  return { file, text: await readFile(file, 'utf8'), warnings: result.warnings.map((w) => w.text) };
}

interface Failure {
  name: string;
  message: string;
  isParameterNotFound: boolean;
  isServiceException: boolean;
  isBaseException: boolean;
}

describe('AWS SDK error registrations in a bundle', () => {
  let outdir: string;
  let text: string;
  let failWith: (code: string) => Promise<Failure>;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'faultline-sdk-errors-'));
    const built = await bundle(outdir, ENTRY);
    text = built.text;
    ({ failWith } = await import(pathToFileURL(built.file).href));
  }, 30_000);
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  it('keep an imported error: it arrives as its own class', async () => {
    expect(text).toMatch(/registerError\(ParameterNotFound\d*\$, ParameterNotFound\d*\)/);
    expect(await failWith('ParameterNotFound')).toEqual({
      name: 'ParameterNotFound',
      message: 'ParameterNotFound',
      isParameterNotFound: true,
      isServiceException: true,
      isBaseException: false,
    });
  });

  it("drop the others: one arrives as the service's base exception, under its own name", async () => {
    expect(text).not.toMatch(/registerError\(InvalidDocument\d*\$/);
    expect(text).not.toMatch(/class InvalidDocument\b/);
    expect(await failWith('InvalidDocument')).toEqual({
      name: 'InvalidDocument',
      message: 'InvalidDocument',
      isParameterNotFound: false,
      isServiceException: true,
      isBaseException: true,
    });
  });

  it('keep every error of a client taken in a way the scan cannot name (a dynamic import), and warn', async () => {
    const whole = await bundle(
      join(outdir, 'whole'),
      "export const ssm = () => import('@aws-sdk/client-ssm');",
    );
    expect(whole.text).toMatch(/registerError\(InvalidDocument\d*\$/);
    expect(whole.warnings).toEqual([
      expect.stringMatching(/entry\.js: cannot tell what it takes from '@aws-sdk\/client-ssm'/),
    ]);
  });
});
