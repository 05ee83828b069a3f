import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Debian's AWS CLI (the `awscli` package, v2.9 on botocore): a client implementation other than
 * the SDK v3 the project uses. `scripts/ensure-awscli.sh` (npm test's pretest) installs it. It is
 * run by its path: another `aws` earlier on PATH (pip, pyenv) would be another version.
 */
export const AWS_CLI = '/usr/bin/aws';

/** The CLI's JSON output: checked by the tests' assertions, not by types. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type CliJson = Record<string, any>;

export interface CliResult {
  rc: number;
  stdout: string;
  stderr: string;
}

/** What the CLI prints for an error the service answered: `An error occurred (Code) when calling the Op operation: message`. */
export interface CliError {
  rc: number;
  code: string;
  operation: string;
  message: string;
}

/**
 * Files and variables that keep the CLI to what the test gives it: dummy credentials, no config
 * or credentials file of the machine's, no pager. This CLI (2.9) does not read AWS_ENDPOINT_URL
 * (2.13 and later do), so every command gets `--endpoint-url`.
 */
function cliEnvironment(home: string, region: string): NodeJS.ProcessEnv {
  const empty = join(home, 'empty');
  writeFileSync(empty, '');
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: 'AKIDSANDBOX',
    AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Runs AWS CLI commands against an endpoint. The commands go, one at a time, to one Python
 * process that runs each through the CLI's own entry point (test/helpers/aws-cli-runner.py), with
 * the interpreter /usr/bin/aws itself names; `exec` runs the real `/usr/bin/aws` binary for what
 * must be seen from outside (its version, a transfer).
 */
export class AwsCli {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly home: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly fixed: string[];

  constructor(endpoint: string, region: string) {
    this.home = mkdtempSync(join(tmpdir(), 'faultline-awscli-'));
    this.env = cliEnvironment(this.home, region);
    this.fixed = ['--endpoint-url', endpoint, '--region', region, '--no-cli-pager', '--output', 'json'];
    const python = readFileSync(AWS_CLI, 'utf8')
      .split('\n')[0]!
      .replace(/^#!\s*/, '')
      .trim();
    this.child = spawn(python, [join(import.meta.dirname, 'aws-cli-runner.py')], {
      env: this.env,
      cwd: this.home,
    });
    let stderr = '';
    this.child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) {
        w(JSON.stringify({ rc: -1, stdout: '', stderr: `the CLI runner exited (${code}): ${stderr}` }));
      }
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  /** A scratch folder for files the commands read or write. */
  get dir(): string {
    return this.home;
  }

  /** Runs `aws <args…>` (the endpoint, region, JSON output and no pager added). */
  run(...args: string[]): Promise<CliResult> {
    const next = this.queue.then(
      () =>
        new Promise<CliResult>((resolve) => {
          this.waiting.push((line) => resolve(JSON.parse(line) as CliResult));
          this.child.stdin.write(`${JSON.stringify([...args, ...this.fixed])}\n`);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs a command that must succeed and returns its JSON output (undefined when it printed none). */
  async json<T = CliJson>(...args: string[]): Promise<T> {
    const r = await this.run(...args);
    if (r.rc !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.rc}: ${r.stderr}`);
    return (r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)) as T;
  }

  /** Runs a command the service must refuse, and returns the error code and message the CLI shows. */
  async error(...args: string[]): Promise<CliError> {
    const r = await this.run(...args);
    const m =
      /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \([^)]*\))?: ([\s\S]*)$/.exec(
        r.stderr.trim(),
      );
    if (r.rc === 0 || !m) {
      throw new Error(
        `aws ${args.join(' ')} was expected to fail with a service error: rc ${r.rc}, ${r.stderr}`,
      );
    }
    return { rc: r.rc, code: m[1]!, operation: m[2]!, message: m[3]! };
  }

  /** Runs the real /usr/bin/aws binary in a process of its own. */
  exec(...args: string[]): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(AWS_CLI, [...args, ...this.fixed], { env: this.env, cwd: this.home });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('error', reject);
      child.on('close', (rc) => resolve({ rc: rc ?? -1, stdout, stderr }));
    });
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await new Promise((resolve) => {
      if (this.child.exitCode !== null) resolve(undefined);
      else this.child.once('exit', resolve);
    });
    rmSync(this.home, { recursive: true, force: true });
  }
}
