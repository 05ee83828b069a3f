import { documentNameOf, parseDocumentParameters } from '../../../src/fis/ssm-documents.ts';
import { parseIsoDuration } from '../../../src/time/duration.ts';
import type { TimerHandle } from '../../clock.ts';
import { AwsError } from '../../protocol/types.ts';
import { WorldError } from '../errors.ts';
import type { ActionRunner, WorldKind } from './kind.ts';

/**
 * aws:ssm:start-automation-execution: starts the document's automation in the sandbox's Systems
 * Manager, as FIS does on AWS. The action completes when the automation ends Success and fails
 * with the automation's failure message otherwise; stopping the experiment cancels the automation
 * (StopAutomationExecution), and so does maxDuration passing, which fails the action.
 */
const startAutomation: ActionRunner = (ctx) => {
  const ssm = ctx.ssm;
  if (!ssm) throw new WorldError('InternalFailure', 'Systems Manager is not running in this sandbox.');
  const arn = ctx.parameters.documentArn!;
  const [, , , region, account] = arn.split(':');
  const name = documentNameOf(arn)!;
  if (region !== ctx.world.def.region || (account !== '' && account !== ctx.world.accountId)) {
    throw new WorldError(
      'AutomationDefinitionNotFoundException',
      `Document ${arn} does not exist: the sandbox's Systems Manager is account ${ctx.world.accountId} in ${ctx.world.def.region}.`,
    );
  }
  const params = parseDocumentParameters(ctx.parameters.documentParameters ?? '{}');
  // FIS validated the parameters when the template was created.
  if (typeof params === 'string') throw new WorldError('ValidationException', `documentParameters ${params}`);
  let id: string;
  try {
    id = ssm.startAutomation(account === '' ? name : arn, params, ctx.parameters.documentVersion);
  } catch (e) {
    if (e instanceof AwsError) throw new WorldError(e.code, e.message);
    throw e;
  }
  let over = false;
  const maxDuration = ctx.parameters.maxDuration!;
  let timer: TimerHandle | undefined = ctx.clock.after(parseIsoDuration(maxDuration)!, () => {
    timer = undefined;
    over = true;
    ssm.stopAutomation(id);
    ctx.fail(
      `Automation execution ${id} did not end within maxDuration ${maxDuration}, so it was cancelled.`,
    );
  });
  ssm.onAutomationEnd(id, (status, failureMessage) => {
    if (over) return;
    over = true;
    ctx.clock.cancel(timer);
    if (status === 'Success') ctx.complete();
    else
      ctx.fail(`Automation execution ${id} ended ${status}${failureMessage ? `: ${failureMessage}` : '.'}`);
  });
  return {
    stop(done) {
      if (!over) {
        over = true;
        ctx.clock.cancel(timer);
        ssm.stopAutomation(id);
      }
      done();
    },
  };
};

export const ssmAutomationKind: WorldKind = {
  name: 'SSM Automation',
  actions: {
    // Any document ARN of the right shape is accepted (FIS checks the shape): on AWS too, the
    // document may be created after the template.
    'aws:ssm:start-automation-execution': { run: startAutomation },
  },
};
