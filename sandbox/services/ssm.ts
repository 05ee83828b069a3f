import { z } from 'zod';
import type { SandboxCore } from '../context.ts';
import { jsonProtocol } from '../protocol/json.ts';
import type { SandboxService } from './service.ts';
import type { StepDns } from './ssm/actions.ts';
import { AutomationEngine, isTerminal, savedAutomationSchema } from './ssm/automation.ts';
import { automationOperations, startExecution } from './ssm/automation-api.ts';
import { callSandboxApi } from './ssm/aws-api.ts';
import { readCustomerDocument, type SavedDocument, savedDocumentSchema } from './ssm/customer-documents.ts';
import { documentOperations, findDocument } from './ssm/document-api.ts';
import { automationDocuments } from './ssm/documents.ts';
import { parameterOperations } from './ssm/parameter-api.ts';
import { latest, ParameterStore, savedParametersSchema } from './ssm/parameter-store.ts';
import type { SsmPort } from './ssm/port.ts';

const savedStateSchema = z.object({
  parameters: savedParametersSchema,
  automation: savedAutomationSchema,
  /** Customers' documents (CreateDocument); absent from states saved before the sandbox kept them. */
  documents: z.array(savedDocumentSchema).default([]),
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
    region: world.region,
    accountId: world.accountId,
    user,
    callApi: (service, api, input) =>
      callSandboxApi({ endpoint: core.links.endpoint, region: world.region }, service, api, input),
    parameterValue: (name) => {
      const p = store.find(name);
      return p && latest(p).value;
    },
  });
  const toList = (v: string | string[]) => (typeof v === 'string' ? [v] : v);
  const port: SsmPort = {
    startAutomation: (document, parameters, version) =>
      startExecution(engine, documents, {
        documentName: document,
        documentVersion: version,
        given: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, toList(v)])),
      }).id,
    stopAutomation: (id) => {
      if (!isTerminal(engine.get(id).status)) engine.stop(id, 'Cancel');
    },
    onAutomationEnd: (id, fn) => engine.watch(id, (exec) => fn(exec.status, exec.failureMessage)),
    documentType: (document) => {
      const doc = findDocument(documents, document);
      return doc ? (doc.documentType ?? 'Automation') : undefined;
    },
  };
  core.links.ssm = port;
  const saveDocuments = (): SavedDocument[] =>
    [...documents.values()].flatMap((d) =>
      d.source
        ? [
            {
              name: d.name,
              content: d.source.content,
              format: d.source.format,
              documentType: d.documentType ?? 'Automation',
              createdDate: d.createdDate,
            },
          ]
        : [],
    );

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
        ...documentOperations(documents, { accountId: world.accountId, now: () => core.clock.now() }),
        ...automationOperations(engine, documents),
      },
    }),
    save: () => ({ parameters: store.save(), automation: engine.save(), documents: saveDocuments() }),
    restore: (state, { savedAt }) => {
      const parsed = savedStateSchema.safeParse(state);
      if (!parsed.success) {
        throw new Error(
          `the saved SSM state cannot be read (${parsed.error.issues[0]?.message ?? 'bad shape'}); start with --fresh`,
        );
      }
      store.restore(parsed.data.parameters);
      for (const saved of parsed.data.documents) {
        try {
          documents.set(saved.name, readCustomerDocument(saved, world.accountId));
        } catch (e) {
          throw new Error(
            `the saved SSM document ${saved.name} cannot be read (${e instanceof Error ? e.message : e}); start with --fresh`,
          );
        }
      }
      engine.restore(parsed.data.automation, savedAt);
    },
  };
}
