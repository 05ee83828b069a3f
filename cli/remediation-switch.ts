import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import type { LocalStack } from '../sandbox/local.ts';
import { client } from '../src/aws/clients.ts';
import { remediationEnabled } from '../src/observe/remediation-switch.ts';

/**
 * Left in the state folder while a game day runs with `--remediation`, naming what the switch read
 * before: if the run is cut short (a crash, `kill -9`), the next sandbox started on that folder
 * puts it back.
 */
const OVERRIDE_FILE = 'remediation-override.json';

interface Override {
  parameter: string;
  /** The switch's value before the game day, or null when the parameter did not exist. */
  previous: string | null;
}

/** The remediation switch's parameter name for a stage (serverless.yml: custom.names.remediationSwitch). */
export function remediationSwitchName(stack: LocalStack | undefined, stage: string): string {
  return (
    stack?.deployment.environment.FAULTLINE_REMEDIATION_SWITCH_PARAMETER ?? `/faultline/${stage}/remediation`
  );
}

/**
 * Sets a sandbox's remediation switch (src/observe/remediation-switch.ts reads it). Kept out of
 * the functions' modules: no deployed function may write it.
 */
export async function switchRemediation(stack: LocalStack, value: 'on' | 'off'): Promise<void> {
  await putParameter(remediationSwitchName(stack, ''), value);
}

/**
 * Sets a sandbox's remediation switch for one game day and returns what puts it back as it was.
 * With a state folder, a marker there lets the next start put it back if this run never does.
 */
export async function overrideRemediation(
  stack: LocalStack,
  stateDir: string | undefined,
  value: 'on' | 'off',
): Promise<() => Promise<void>> {
  const parameter = remediationSwitchName(stack, '');
  const previous = await readParameter(parameter);
  const override: Override = { parameter, previous };
  if (stateDir) await writeFile(join(stateDir, OVERRIDE_FILE), `${JSON.stringify(override)}\n`);
  await switchRemediation(stack, value);
  let restored = false;
  return async () => {
    if (restored) return;
    restored = true;
    await putBack(override, stateDir);
  };
}

/**
 * Puts the switch back if a game day that overrode it was cut short before it could, and says so.
 * Called whenever a sandbox starts on a state folder.
 */
export async function restoreInterruptedOverride(
  stateDir: string,
  say: (line: string) => void,
): Promise<void> {
  let override: Override;
  try {
    override = JSON.parse(await readFile(join(stateDir, OVERRIDE_FILE), 'utf8')) as Override;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    // A marker half written when the process died: the switch was not touched yet.
    await rm(join(stateDir, OVERRIDE_FILE), { force: true });
    return;
  }
  await putBack(override, stateDir);
  say(
    `faultline: the remediation switch ${override.parameter} is ${override.previous === null ? 'removed again' : `back to '${override.previous}'`}: a game day run with --remediation was cut short before it could put it back`,
  );
}

/**
 * One line when a game day is about to run with auto-remediation off, whoever switched it off:
 * remediations it provokes are held back, which changes what the game day measures.
 */
export async function warnIfRemediationOff(
  parameter: string,
  because: string | undefined,
  say: (line: string) => void,
): Promise<void> {
  // Where the switch cannot be read (no ssm:GetParameter on AWS), there is nothing to warn about.
  const state = await remediationEnabled(client('ssm'), parameter).catch(() => undefined);
  if (!state || state.enabled) return;
  const { detail } = state;
  say(
    `faultline: auto-remediation is OFF for this game day (${because ?? detail}): remediations it provokes are recorded as held back, not run`,
  );
}

async function putBack(override: Override, stateDir: string | undefined): Promise<void> {
  if (override.previous === null) {
    await client('ssm')
      .send(new DeleteParameterCommand({ Name: override.parameter }))
      .catch((e: unknown) => {
        if (!(e instanceof ParameterNotFound)) throw e;
      });
  } else {
    await putParameter(override.parameter, override.previous);
  }
  if (stateDir) await rm(join(stateDir, OVERRIDE_FILE), { force: true });
}

async function readParameter(name: string): Promise<string | null> {
  try {
    const out = await client('ssm').send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value ?? null;
  } catch (e) {
    if (e instanceof ParameterNotFound) return null;
    throw e;
  }
}

async function putParameter(name: string, value: string): Promise<void> {
  await client('ssm').send(
    new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }),
  );
}
