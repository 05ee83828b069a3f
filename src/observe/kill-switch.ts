import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/errors.ts';

export interface KillSwitch {
  engaged: boolean;
  /** One line a person reads: the parameter and what it says. */
  detail: string;
}

/**
 * Reads the kill switch. Only `off` lets a game day run: `on`, any other value and a missing
 * parameter all count as engaged, because a switch nobody can read is no reason to inject faults.
 */
export async function readKillSwitch(ssm: SSMClient, parameter: string): Promise<KillSwitch> {
  let value: string;
  try {
    const out = await awsCall(`read the kill switch ${parameter}`, () =>
      ssm.send(new GetParameterCommand({ Name: parameter })),
    );
    value = out.Parameter?.Value ?? '';
  } catch (e) {
    if (e instanceof ParameterNotFound) {
      return {
        engaged: true,
        detail: `kill switch parameter ${parameter} does not exist: treated as on (create it with the value 'off')`,
      };
    }
    throw e;
  }
  const normalised = value.trim().toLowerCase();
  if (normalised === 'off') return { engaged: false, detail: `kill switch ${parameter} is off` };
  if (normalised === 'on') return { engaged: true, detail: `kill switch ${parameter} is on` };
  return {
    engaged: true,
    detail: `kill switch ${parameter} reads '${value}', neither 'on' nor 'off': treated as on`,
  };
}
