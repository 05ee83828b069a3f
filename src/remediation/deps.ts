import type { ClientName, Clients } from '../aws/clients.ts';
import { dynamoDbClient } from '../aws/dynamodb.ts';
import { ConfigurationError, type GameDayDeps, liveDeps } from '../gameday/deps.ts';
import type { Runbook } from '../runbooks/schema.ts';
import { bundledRunbooks } from './bundled-runbooks.ts';
import { RemediationGuard } from './guard.ts';

/** The services the remediation steps call between them. */
export type RemediationClient = 'ssm' | 'cloudwatch' | 'route53' | 'sns';

/**
 * Everything a remediation step touches: the game-day dependencies, plus the safety store and the
 * runbooks. `K` names the SDK clients the step calls, as in GameDayDeps.
 */
export interface RemediationDeps<K extends ClientName = RemediationClient> extends GameDayDeps<K> {
  guard: RemediationGuard;
  /** Read when triage needs them, so that a step after triage does not depend on them. */
  runbooks: () => readonly Runbook[];
  /** SSM parameter: `on` lets remediation act (see src/observe/remediation-switch.ts). */
  switchParameter: () => string;
  /** The role SSM Automation runs a runbook's document as (its AutomationAssumeRole). */
  automationRole: () => string;
}

/** What a deployed remediation handler runs with. */
export function liveRemediationDeps<K extends ClientName>(
  aws: Pick<Clients, K>,
  source: Record<string, string | undefined> = process.env,
  now: () => Date = () => new Date(),
): RemediationDeps<K> {
  const base = liveDeps(aws, source, now);
  const table = source.FAULTLINE_REMEDIATION_TABLE;
  if (!table) {
    throw new ConfigurationError(
      'FAULTLINE_REMEDIATION_TABLE is not set (see provider.environment in serverless.yml)',
    );
  }
  return {
    ...base,
    guard: new RemediationGuard(dynamoDbClient(), table, now),
    runbooks: () => bundledRunbooks(source.FAULTLINE_RUNBOOKS),
    switchParameter: () => required(source, 'FAULTLINE_REMEDIATION_SWITCH_PARAMETER'),
    automationRole: () => required(source, 'FAULTLINE_AUTOMATION_ROLE_ARN'),
  };
}

function required(source: Record<string, string | undefined>, name: string): string {
  const value = source[name];
  if (!value) throw new ConfigurationError(`${name} is not set (see provider.environment in serverless.yml)`);
  return value;
}
