import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Template } from './template-rules.ts';

/** What packaging writes and leaves in the working folders; never mirrored into the copy. */
const WORK_DIRS = new Set(['.serverless', '.esbuild', '.build', '.faultline', 'reports', '.git']);

/**
 * Runs `sls package` (offline, no credentials) on the project and returns the CloudFormation
 * template it generated. It packages a mirror of the project (a temporary folder of its top-level files
 * and symlinks to its folders), so the framework's and esbuild's work folders are the mirror's: another `npm run package`
 * in the tree at the same time neither disturbs this one nor is disturbed by it.
 */
export async function packageProject(
  projectDir: string,
): Promise<{ dir: string; template: Template; remove: () => Promise<void> }> {
  const mirror = await mkdtemp(join(tmpdir(), 'faultline-package-'));
  for (const entry of await readdir(projectDir, { withFileTypes: true })) {
    if (WORK_DIRS.has(entry.name)) continue;
    const from = join(projectDir, entry.name);
    // The framework looks for its config as a file of the folder, not a link.
    if (entry.isFile()) await copyFile(from, join(mirror, entry.name));
    else await symlink(from, join(mirror, entry.name));
  }
  const out = join(mirror, '.serverless');
  const bin = createRequire(join(projectDir, 'package.json')).resolve('osls/bin/serverless.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'package', '--package', out], {
      cwd: mirror,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_ENDPOINT_URL: '',
      },
    });
    let log = '';
    child.stdout.on('data', (d) => {
      log += d;
    });
    child.stderr.on('data', (d) => {
      log += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`sls package exited ${code}:\n${log.trim()}`)),
    );
  });
  const template = JSON.parse(
    await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir: out, template, remove: () => rm(mirror, { recursive: true, force: true }) };
}
