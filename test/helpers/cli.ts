import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const FAULTLINE_BIN = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `faultline <args>` in a fresh Node process (the same Node the tests run on) to completion;
 * `bin` runs another copy of bin/faultline.js.
 */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; bin?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? FAULTLINE_BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningSandbox {
  child: ChildProcess;
  endpoint: string;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** Starts `faultline sandbox` as a separate process and waits for its AWS_ENDPOINT_URL line. */
export function startSandboxProcess(args: string[], cwd: string): Promise<RunningSandbox> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAULTLINE_BIN, 'sandbox', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    const stop = () =>
      new Promise<number | null>((done) => {
        if (child.exitCode !== null) return done(child.exitCode);
        child.once('close', (code) => done(code));
        child.kill('SIGTERM');
      });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /^AWS_ENDPOINT_URL=(\S+)$/m.exec(stdout);
      if (m) resolve({ child, endpoint: m[1]!, stderr: () => stderr, stop });
    });
    child.on('close', (code) =>
      reject(new Error(`sandbox exited with ${code} before it was ready: ${stderr}`)),
    );
  });
}
