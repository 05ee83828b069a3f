import { client } from '../aws/clients.ts';
import { ConfigurationError, type GameDayDeps, liveDeps } from '../gameday/deps.ts';
import type { Runbook } from '../runbooks/schema.ts';
import { bundledRunbooks } from './bundled-runbooks.ts';
import { RemediationGuard } from './guard.ts';

/** Everything a remediation step touches: the game-day dependencies, plus the safety store and the runbooks. */
export interface RemediationDeps extends GameDayDeps {
  guard: RemediationGuard;
  /** Read when triage needs them, so that a step after triage does not depend on them. */
  runbooks: () => readonly Runbook[];
  /** SSM parameter: `on` lets remediation act (see src/observe/remediation-switch.ts). */
  switchParameter: () => string;
}

/** What a deployed remediation handler runs with. */
export function liveRemediationDeps(
  source: Record<string, string | undefined> = process.env,
  now: () => Date = () => new Date(),
): RemediationDeps {
  const base = liveDeps(source, now);
  const table = source.FAULTLINE_REMEDIATION_TABLE;
  if (!table) {
    throw new ConfigurationError(
      'FAULTLINE_REMEDIATION_TABLE is not set (see provider.environment in serverless.yml)',
    );
  }
  return {
    ...base,
    guard: new RemediationGuard(client('dynamodb'), table, now),
    runbooks: () => bundledRunbooks(source.FAULTLINE_RUNBOOKS),
    switchParameter: () => {
      const name = source.FAULTLINE_REMEDIATION_SWITCH_PARAMETER;
      if (!name) {
        throw new ConfigurationError(
          'FAULTLINE_REMEDIATION_SWITCH_PARAMETER is not set (see provider.environment in serverless.yml)',
        );
      }
      return name;
    },
  };
}
