import {
  CreateExperimentTemplateCommand,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
  type FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
} from '@aws-sdk/client-fis';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { loadWorldFile, type WorldDefinition } from '../../sandbox/world/schema.ts';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/faultline-fis';

/** A valid template to start from: one aws:fis:wait action, no stop condition. */
export function templateInput(
  overrides: Partial<CreateExperimentTemplateCommandInput> = {},
): CreateExperimentTemplateCommandInput {
  return {
    description: 'test template',
    roleArn: ROLE_ARN,
    stopConditions: [{ source: 'none' }],
    actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT5M' } } },
    ...overrides,
  };
}

/** The checkout instances, selected by the tag every one of them carries. */
export const CHECKOUT_INSTANCES = {
  resourceType: 'aws:ec2:instance',
  resourceTags: { Service: 'checkout' },
  selectionMode: 'ALL',
};

export async function createTemplate(
  fis: FisClient,
  overrides: Partial<CreateExperimentTemplateCommandInput> = {},
): Promise<string> {
  const out = await fis.send(new CreateExperimentTemplateCommand(templateInput(overrides)));
  return out.experimentTemplate!.id!;
}

/** Creates a template and starts an experiment from it; returns the experiment id. */
export async function startFrom(
  fis: FisClient,
  overrides: Partial<CreateExperimentTemplateCommandInput> = {},
): Promise<string> {
  const templateId = await createTemplate(fis, overrides);
  const out = await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId }));
  return out.experiment!.id!;
}

export async function getExperiment(fis: FisClient, id: string): Promise<Experiment> {
  return (await fis.send(new GetExperimentCommand({ id }))).experiment!;
}

/** Until the experiment is running: FIS takes a few virtual seconds to initiate. */
export async function advanceToRunning(sb: Sandbox): Promise<void> {
  await sb.clock.advance(3_000);
}

/** The shipped checkout world without its Auto Scaling group, so stopped instances stay stopped. */
export async function worldWithoutAutoScaling(): Promise<WorldDefinition> {
  const def = await loadWorldFile();
  return { ...def, autoScaling: undefined };
}

// The request rewrites that add members the pinned FIS client cannot send live in src/fis, where the
// game day's StartExperiment uses them too.
export { listExperimentsOf, sendActionsMode } from '../../src/fis/wire-extensions.ts';
