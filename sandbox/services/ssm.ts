import { z } from 'zod';
import type { SandboxCore } from '../context.ts';
import { jsonProtocol } from '../protocol/json.ts';
import type { SandboxService } from './service.ts';
import type { StepDns } from './ssm/actions.ts';
import { AutomationEngine, savedAutomationSchema } from './ssm/automation.ts';
import { automationOperations } from './ssm/automation-api.ts';
import { documentOperations } from './ssm/document-api.ts';
import { automationDocuments } from './ssm/documents.ts';
import { parameterOperations } from './ssm/parameter-api.ts';
import { ParameterStore, savedParametersSchema } from './ssm/parameter-store.ts';

const savedStateSchema = z.object({
  parameters: savedParametersSchema,
  automation: savedAutomationSchema,
});

/**
 * Systems Manager (awsJson1_1, `AmazonSSM.<Op>`): Parameter Store, where faultline keeps its kill
 * switch, and Automation, which runs the restart/start/stop runbooks and faultline's own scale-out
 * runbook against the simulated world (and its DNS, for the regional failover runbook).
 */
export function createSSMService(core: SandboxCore, deps: { dns: StepDns }): SandboxService {
  const { world } = core;
  const user = `arn:aws:iam::${world.accountId}:user/sandbox`;
  const store = new ParameterStore(() => core.clock.now());
  const documents = automationDocuments(world.accountId);
  const engine = new AutomationEngine({
    clock: core.clock,
    world,
    dns: deps.dns,
    bus: core.bus,
    ids: core.rng.stream('ssm.ids'),
    timing: core.rng.stream('ssm.timing'),
    documents,
    region: world.region,
    accountId: world.accountId,
    user,
  });

  return {
    signingName: 'ssm',
    handler: jsonProtocol({
      targetPrefix: 'AmazonSSM',
      version: '1.1',
      operations: {
        ...parameterOperations({
          store,
          region: world.region,
          accountId: world.accountId,
          user,
          publish: (detail, resources) =>
            core.bus.publish('aws.ssm', 'Parameter Store Change', detail, resources),
        }),
        ...documentOperations(documents),
        ...automationOperations(engine, documents),
      },
    }),
    save: () => ({ parameters: store.save(), automation: engine.save() }),
    restore: (state, { savedAt }) => {
      const parsed = savedStateSchema.safeParse(state);
      if (!parsed.success) {
        throw new Error(
          `the saved SSM state cannot be read (${parsed.error.issues[0]?.message ?? 'bad shape'}); start with --fresh`,
        );
      }
      store.restore(parsed.data.parameters);
      engine.restore(parsed.data.automation, savedAt);
    },
  };
}
