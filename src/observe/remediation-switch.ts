import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/errors.ts';

/**
 * The remediation switch: an SSM parameter, `on` or `off`. Unlike the kill switch it stops only
 * auto-remediation (game days go on), so a game day can be run with remediation and without.
 * Anything but `on` — a missing parameter included — is off: automation that cannot tell whether
 * it is allowed to act does not act.
 */
export async function remediationEnabled(
  ssm: SSMClient,
  parameter: string,
): Promise<{ enabled: boolean; detail: string }> {
  try {
    const out = await awsCall(`read the remediation switch ${parameter}`, () =>
      ssm.send(new GetParameterCommand({ Name: parameter })),
    );
    const value = (out.Parameter?.Value ?? '').trim().toLowerCase();
    return value === 'on'
      ? { enabled: true, detail: `remediation switch ${parameter} is on` }
      : { enabled: false, detail: `remediation is switched off (${parameter} reads '${value}')` };
  } catch (e) {
    if (e instanceof ParameterNotFound) {
      return { enabled: false, detail: `remediation switch ${parameter} does not exist: treated as off` };
    }
    throw e;
  }
}
