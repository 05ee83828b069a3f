import {
  type DocumentParameters,
  documentNameOf,
  parseDocumentParameters,
} from '../../../src/fis/ssm-documents.ts';
import { WorldError } from '../errors.ts';
import { requireInstances } from './ec2.ts';
import { type ActionContext, type ActionRunner, NOTHING_TO_STOP, type WorldKind } from './kind.ts';

/** SSM Run Command on the world's instances: aws:ssm:send-command with the FIS documents it plays out. */

export interface FisSsmDocument {
  name: string;
  parameters: Record<string, { required: boolean; allowed?: readonly string[] }>;
}

export const KILL_PROCESS_DOCUMENT = 'AWSFIS-Run-Kill-Process';
export const KILL_SIGNALS = ['SIGTERM', 'SIGKILL'] as const;

/** The FIS-owned SSM documents the sandbox plays out for aws:ssm:send-command. */
export const SANDBOX_SSM_DOCUMENTS: Readonly<Record<string, FisSsmDocument>> = {
  [KILL_PROCESS_DOCUMENT]: {
    name: KILL_PROCESS_DOCUMENT,
    parameters: {
      ProcessName: { required: true },
      Signal: { required: false, allowed: KILL_SIGNALS },
      InstallDependencies: { required: false, allowed: ['True', 'False'] },
    },
  },
};

/** Why `given` does not suit the document (unknown, missing or disallowed parameters), or undefined. */
export function checkDocumentParameters(doc: FisSsmDocument, given: DocumentParameters): string | undefined {
  const known = Object.keys(doc.parameters);
  for (const [key, value] of Object.entries(given)) {
    const p = doc.parameters[key];
    if (!p) return `${key} is not a parameter of ${doc.name}; valid parameters: ${known.join(', ')}`;
    const values = typeof value === 'string' ? [value] : value;
    const bad = p.allowed ? values.find((v) => !p.allowed!.includes(v)) : undefined;
    if (bad !== undefined) {
      return `${key} of ${doc.name} must be one of ${p.allowed!.join(', ')} (got '${bad}')`;
    }
    if (values.every((v) => v === '') && p.required) return `${key} of ${doc.name} must not be empty`;
  }
  for (const [key, p] of Object.entries(doc.parameters)) {
    if (p.required && given[key] === undefined) return `${key} is required by ${doc.name}`;
  }
  return undefined;
}

/** The targets of a command: every one must exist and be running, as SSM reaches no other. */
function runningTargets(ctx: ActionContext) {
  const instances = requireInstances(
    ctx.world,
    ctx.resources.map((r) => r.id),
  );
  const notRunning = instances.find((i) => i.state !== 'running');
  if (notRunning) {
    throw new WorldError(
      'InvalidInstanceId',
      `Instance ${notRunning.id} is not in a valid state for sending a command (it is ${notRunning.state}).`,
    );
  }
  return instances;
}

/**
 * aws:ssm:send-command. AWSFIS-Run-Kill-Process kills the named process on every target. Only the
 * service's process exists on the sandbox's hosts; naming another fails the command, as killall
 * finds nothing. Done once the process is dead: nothing to roll back, the host restarts it only
 * when it boots again. Any other document (AWS-RunShellScript, a customer's Command document)
 * reaches the hosts, which cannot run it: the command fails on each of them, saying so.
 */
const sendCommand: ActionRunner = (ctx) => {
  const arn = ctx.parameters.documentArn!;
  const [, , , region, account] = arn.split(':');
  const name = documentNameOf(arn)!;
  if (region !== ctx.world.def.region || (account !== '' && account !== ctx.world.accountId)) {
    throw new WorldError('InvalidDocument', `Document ${arn} does not exist in ${ctx.world.def.region}.`);
  }
  const awsOwned = account === '';
  if (awsOwned ? !name.startsWith('AWS') : ctx.ssm?.documentType(name) !== 'Command') {
    throw new WorldError('InvalidDocument', `Document ${arn} does not exist in ${ctx.world.def.region}.`);
  }
  const instances = runningTargets(ctx);
  if (name !== KILL_PROCESS_DOCUMENT) {
    ctx.fail(
      `The command ${name} failed on ${instances.map((i) => i.id).join(', ')}: ${name} runs on AWS; the sandbox's hosts run only the ${ctx.world.def.service.name} process, not commands.`,
    );
    return NOTHING_TO_STOP;
  }
  const params = parseDocumentParameters(ctx.parameters.documentParameters ?? '{}');
  const processName = typeof params === 'string' ? undefined : String(params.ProcessName);
  const killed =
    processName === ctx.world.def.service.name
      ? ctx.world.killServiceProcess(instances.map((i) => i.id))
      : [];
  const missed = instances.filter((i) => !killed.includes(i));
  if (missed.length > 0) {
    ctx.fail(
      `The command ${KILL_PROCESS_DOCUMENT} failed on ${missed.map((i) => i.id).join(', ')}: no process named '${processName}' is running.`,
    );
  } else {
    ctx.complete();
  }
  return NOTHING_TO_STOP;
};

export const ssmKind: WorldKind = {
  name: 'SSM Run Command',
  actions: {
    'aws:ssm:send-command': {
      checkParameters(p) {
        const name = documentNameOf(p.documentArn ?? '');
        if (name === undefined) return [];
        const doc = SANDBOX_SSM_DOCUMENTS[name];
        if (!doc) {
          // FIS's own documents act on the host (CPU, memory, network); the sandbox models only the kill.
          if (!name.startsWith('AWSFIS-')) return [];
          return [
            {
              path: ['parameters', 'documentArn'],
              detail: `names ${name}, which the sandbox cannot run (it runs on AWS); the sandbox runs: ${Object.keys(SANDBOX_SSM_DOCUMENTS).join(', ')}`,
            },
          ];
        }
        const given = parseDocumentParameters(p.documentParameters ?? '{}');
        const problem = typeof given === 'string' ? undefined : checkDocumentParameters(doc, given);
        return problem ? [{ path: [], detail: `parameter 'documentParameters': ${problem}` }] : [];
      },
      run: sendCommand,
    },
  },
};
