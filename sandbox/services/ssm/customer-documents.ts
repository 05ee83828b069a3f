import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AwsError } from '../../protocol/types.ts';
import type { StepFlow } from './actions.ts';
import type { AutomationDocument, DocumentParameter, DocumentParameterType } from './documents.ts';
import { customerStep, type StepSpec, stored, type ValueType } from './interpreter.ts';

/**
 * Customer documents, as CreateDocument takes them: their content (JSON or YAML) read and checked
 * the way SSM checks it, so that a document SSM refuses is refused here with what is wrong, and one
 * it accepts is kept as written (GetDocument returns it unchanged) and, for Automation, run by the
 * interpreter (interpreter.ts).
 */

export type DocumentType = 'Automation' | 'Command';
export type DocumentFormat = 'JSON' | 'YAML';

/** Every action of Automation (schema 0.3): SSM accepts a document using any of them. */
const AUTOMATION_ACTIONS = new Set([
  'aws:approve',
  'aws:assertAwsResourceProperty',
  'aws:branch',
  'aws:changeInstanceState',
  'aws:copyImage',
  'aws:createImage',
  'aws:createStack',
  'aws:createTags',
  'aws:deleteImage',
  'aws:deleteStack',
  'aws:executeAutomation',
  'aws:executeAwsApi',
  'aws:executeScript',
  'aws:executeStateMachine',
  'aws:invokeLambdaFunction',
  'aws:invokeWebhook',
  'aws:loop',
  'aws:pause',
  'aws:runCommand',
  'aws:runInstances',
  'aws:sleep',
  'aws:updateVariable',
  'aws:waitForAwsResourceProperty',
]);

/** The plugins of Command documents (schema 2.x). */
const COMMAND_PLUGINS = new Set([
  'aws:applications',
  'aws:cloudWatch',
  'aws:configureDocker',
  'aws:configurePackage',
  'aws:domainJoin',
  'aws:downloadContent',
  'aws:psModule',
  'aws:refreshAssociation',
  'aws:runDockerAction',
  'aws:runDocument',
  'aws:runPowerShellScript',
  'aws:runShellScript',
  'aws:softwareInventory',
  'aws:updateAgent',
  'aws:updateSsmAgent',
]);

const VALUE_TYPES: readonly ValueType[] = [
  'String',
  'StringList',
  'Integer',
  'Boolean',
  'StringMap',
  'MapList',
];
const NAME = /^[a-zA-Z0-9_.-]{3,128}$/;
const STEP_NAME = /^[a-zA-Z0-9_]{1,100}$/;

/** What the SSM state file keeps of a customer's document: enough to read it again. */
export const savedDocumentSchema = z.object({
  name: z.string(),
  content: z.string(),
  format: z.enum(['JSON', 'YAML']),
  documentType: z.enum(['Automation', 'Command']),
  createdDate: z.number(),
});
export type SavedDocument = z.infer<typeof savedDocumentSchema>;

function invalid(message: string): AwsError {
  return new AwsError('InvalidDocumentContent', message);
}

/** CreateDocument's Name rules: 3-128 of letters, digits, `_ . -`, not starting with a name AWS keeps. */
export function checkDocumentName(name: string): void {
  if (!NAME.test(name)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$`,
    );
  }
  if (/^(aws|amazon|amzn)/i.test(name)) {
    throw new AwsError(
      'ValidationException',
      `Document name ${name} is not valid: names that start with aws, amazon or amzn are reserved.`,
    );
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

function readContent(content: string, format: DocumentFormat): Record<string, unknown> {
  let value: unknown;
  try {
    value = format === 'JSON' ? JSON.parse(content) : parseYaml(content);
  } catch (e) {
    throw invalid(`The content is not valid ${format}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  }
  return record(value, 'The document content');
}

function parameterType(name: string, type: unknown): DocumentParameterType {
  if (typeof type === 'string' && (VALUE_TYPES as readonly string[]).includes(type))
    return type as DocumentParameterType;
  // Automation's AWS resource types (AWS::EC2::Instance::Id, …) take a String.
  if (typeof type === 'string' && /^AWS::[A-Za-z0-9:]+$/.test(type)) return 'String';
  throw invalid(
    `Parameter ${name} has type ${JSON.stringify(type)}; the types are ${VALUE_TYPES.join(', ')}.`,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readParameters(value: unknown): DocumentParameter[] {
  if (value === undefined) return [];
  return Object.entries(record(value, 'parameters')).map(([name, raw]) => {
    const p = record(raw, `Parameter ${name}`);
    const type = parameterType(name, p.type);
    const allowed = Array.isArray(p.allowedValues) ? p.allowedValues.map(String) : undefined;
    let pattern: RegExp | undefined;
    try {
      if (typeof p.allowedPattern === 'string') pattern = new RegExp(p.allowedPattern);
    } catch {
      throw invalid(`Parameter ${name} has an allowedPattern that is not a regular expression.`);
    }
    if (allowed) pattern = new RegExp(`^(${allowed.map(escapeRegExp).join('|')})$`);
    return {
      name,
      type,
      description: typeof p.description === 'string' ? p.description : '',
      ...(p.default !== undefined ? { default: stored(p.default, type) } : {}),
      ...(pattern ? { allowedPattern: pattern } : {}),
    };
  });
}

function readFlow(step: Record<string, unknown>, names: Set<string>, where: string): StepFlow {
  const onFailure = step.onFailure === undefined ? 'Abort' : String(step.onFailure);
  const target = /^step:(.+)$/.exec(onFailure)?.[1];
  if (!['Abort', 'Continue'].includes(onFailure) && (target === undefined || !names.has(target))) {
    throw invalid(
      `${where} has onFailure ${onFailure}; it must be Abort, Continue or step:<a step of the document>.`,
    );
  }
  const nextStep = step.nextStep === undefined ? undefined : String(step.nextStep);
  if (nextStep !== undefined && !names.has(nextStep))
    throw invalid(`${where} has nextStep ${nextStep}, which is not a step of the document.`);
  const maxAttempts = step.maxAttempts === undefined ? 1 : Number(step.maxAttempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw invalid(`${where} has maxAttempts ${String(step.maxAttempts)}; it must be a positive integer.`);
  return {
    onFailure,
    ...(nextStep !== undefined ? { nextStep } : {}),
    isEnd: step.isEnd === true || step.isEnd === 'true',
    maxAttempts,
    isCritical: !(step.isCritical === false || step.isCritical === 'false'),
  };
}

function readOutputs(step: Record<string, unknown>, where: string): StepSpec['outputs'] {
  if (step.outputs === undefined) return [];
  if (!Array.isArray(step.outputs)) throw invalid(`${where} has outputs that are not a list.`);
  return step.outputs.map((o: unknown) => {
    const out = record(o, `An output of ${where}`);
    const type = out.Type === undefined ? 'String' : out.Type;
    if (typeof out.Name !== 'string' || typeof out.Selector !== 'string') {
      throw invalid(`Each output of ${where} needs a Name and a Selector.`);
    }
    if (!(VALUE_TYPES as readonly unknown[]).includes(type))
      throw invalid(`Output ${out.Name} of ${where} has type ${String(type)}.`);
    return { Name: out.Name, Selector: out.Selector, Type: type as ValueType };
  });
}

function readAutomationSteps(content: Record<string, unknown>): StepSpec[] {
  const raw = content.mainSteps;
  if (!Array.isArray(raw) || raw.length === 0)
    throw invalid('mainSteps is missing or empty: an Automation document needs at least one step.');
  const steps = raw.map((s, i) => record(s, `Step ${i + 1} of mainSteps`));
  const names = new Set<string>();
  for (const [i, s] of steps.entries()) {
    const name = s.name;
    if (typeof name !== 'string' || !STEP_NAME.test(name)) {
      throw invalid(
        `Step ${i + 1} of mainSteps has name ${JSON.stringify(name)}; a step name is 1-100 letters, digits or underscores.`,
      );
    }
    if (names.has(name)) throw invalid(`Step name ${name} is used twice; step names must be unique.`);
    names.add(name);
  }
  return steps.map((s) => {
    const name = s.name as string;
    const where = `Step ${name}`;
    if (typeof s.action !== 'string') throw invalid(`${where} has no action.`);
    if (!AUTOMATION_ACTIONS.has(s.action))
      throw invalid(`${where} has action ${s.action}, which is not an Automation action.`);
    const inputs = s.inputs === undefined ? {} : record(s.inputs, `The inputs of ${where}`);
    if (s.action === 'aws:branch') {
      const choices = Array.isArray(inputs.Choices) ? (inputs.Choices as Record<string, unknown>[]) : [];
      if (choices.length === 0) throw invalid(`${where} (aws:branch) has no Choices.`);
      for (const target of [
        ...choices.map((c) => c?.NextStep),
        ...(inputs.Default === undefined ? [] : [inputs.Default]),
      ]) {
        if (typeof target !== 'string' || !names.has(target)) {
          throw invalid(
            `${where} (aws:branch) goes to ${String(target)}, which is not a step of the document.`,
          );
        }
      }
    }
    const timeout = s.timeoutSeconds === undefined ? undefined : Number(s.timeoutSeconds);
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) {
      throw invalid(
        `${where} has timeoutSeconds ${String(s.timeoutSeconds)}; it must be a positive integer.`,
      );
    }
    return {
      name,
      action: s.action,
      inputs,
      outputs: readOutputs(s, where),
      ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
      flow: readFlow(s, names, where),
    };
  });
}

function checkCommandSteps(content: Record<string, unknown>, schemaVersion: string): void {
  if (schemaVersion === '1.2') {
    record(content.runtimeConfig, 'runtimeConfig (schema 1.2)');
    return;
  }
  const raw = content.mainSteps;
  if (!Array.isArray(raw) || raw.length === 0)
    throw invalid('mainSteps is missing or empty: a Command document needs at least one step.');
  for (const [i, s] of raw.entries()) {
    const step = record(s, `Step ${i + 1} of mainSteps`);
    if (typeof step.action !== 'string' || !COMMAND_PLUGINS.has(step.action)) {
      throw invalid(
        `Step ${String(step.name ?? i + 1)} has action ${String(step.action)}, which is not a plugin of Command documents.`,
      );
    }
    if (typeof step.name !== 'string' || step.name === '')
      throw invalid(`Step ${i + 1} of mainSteps has no name.`);
  }
}

/** Reads and checks a customer's document; throws SSM's error (InvalidDocumentContent, …) when SSM would refuse it. */
export function readCustomerDocument(saved: SavedDocument, accountId: string): AutomationDocument {
  const content = readContent(saved.content, saved.format);
  if (content.schemaVersion === undefined) throw invalid('schemaVersion is missing.');
  const schemaVersion = String(content.schemaVersion);
  const supported = saved.documentType === 'Automation' ? ['0.3'] : ['1.2', '2.0', '2.2'];
  if (!supported.includes(schemaVersion)) {
    throw new AwsError(
      'InvalidDocumentSchemaVersion',
      `schemaVersion ${schemaVersion} is not supported for ${saved.documentType} documents; use ${supported.join(' or ')}.`,
    );
  }
  const parameters = readParameters(content.parameters);
  const base = {
    name: saved.name,
    description: typeof content.description === 'string' ? content.description : '',
    owner: accountId,
    version: '1',
    createdDate: saved.createdDate,
    parameters,
    documentType: saved.documentType,
    source: { content: saved.content, format: saved.format, schemaVersion },
  };
  if (saved.documentType === 'Command') {
    checkCommandSteps(content, schemaVersion);
    return { ...base, steps: [], outputs: [] };
  }
  const specs = readAutomationSteps(content);
  const types = new Map<string, ValueType>(parameters.map((p) => [p.name, p.type]));
  for (const s of specs) for (const o of s.outputs) types.set(`${s.name}.${o.Name}`, o.Type);
  const outputs = Array.isArray(content.outputs) ? content.outputs.map(String) : [];
  return { ...base, steps: specs.map((s) => customerStep(s, types)), outputs };
}
