import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateDocumentCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { WORLD_RESOURCE_TYPES } from '../../sandbox/world/kinds/registry.ts';
import type { WorldDefinition } from '../../sandbox/world/schema.ts';
import type { World } from '../../sandbox/world/world.ts';

/**
 * aws-samples/fis-template-library (MIT-0; LICENSE and SOURCE.md beside the copy): its 23
 * experiment templates and their SSM documents, copied into test/fixtures so that the tests and
 * `npm run bench -- library` need nothing outside the repository. Their placeholders
 * (`<YOUR AWS ACCOUNT>`, `{{ aws:region }}`, …) are filled in here the way a user would.
 */
export const LIBRARY = fileURLToPath(new URL('../fixtures/fis-template-library', import.meta.url));

export const PLACEHOLDER = /<[^<>"]+>|\{\{[^{}"]+\}\}|\$\{[^{}"]+\}/g;

/** A value for a placeholder, by what its name says it is. */
export function fill(placeholder: string): string {
  const name = placeholder.replace(/^[<{$]+|[>}]+$/g, '').trim();
  if (/account/i.test(name)) return '123456789012';
  if (/availability zone|\baz\b/i.test(name)) return 'us-east-1a';
  if (/region/i.test(name)) return 'us-east-1';
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export interface LibraryTarget {
  resourceType: string;
  resourceTags?: Record<string, string>;
  resourceArns?: string[];
}

/** A library template as JSON, its placeholders filled. */
export interface FilledTemplate {
  targets?: Record<string, LibraryTarget>;
  actions: Record<string, { actionId: string; parameters?: Record<string, string> }>;
  [key: string]: unknown;
}

export const filled = (text: string): FilledTemplate => JSON.parse(text.replace(PLACEHOLDER, fill));

/** The experiment templates (files with `stopConditions`), named `<folder>/<file>`, in name order. */
export async function templatesIn(dir: string = LIBRARY): Promise<{ name: string; text: string }[]> {
  const found: { name: string; text: string }[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(join(dir, entry.name))).sort()) {
      if (!file.endsWith('.json')) continue;
      const text = await readFile(join(dir, entry.name, file), 'utf8');
      if (text.includes('"stopConditions"')) found.push({ name: `${entry.name}/${file}`, text });
    }
  }
  return found;
}

export interface LibraryDocument {
  /** Its file name without the extension. */
  name: string;
  /** `<folder>/<file>`. */
  file: string;
  content: string;
  type: 'Automation' | 'Command';
}

/** The library's SSM documents: Automation runbooks (`*automation.yaml|json`) and Command documents (`*-ssm-template.json`). */
export async function libraryDocuments(): Promise<LibraryDocument[]> {
  const found: LibraryDocument[] = [];
  for (const dir of (await readdir(LIBRARY, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const file of (await readdir(join(LIBRARY, dir.name))).sort()) {
      const automation = /automation\.(ya?ml|json)$/.test(file);
      if (!automation && !file.endsWith('-ssm-template.json')) continue;
      found.push({
        name: file.replace(/\.(ya?ml|json)$/, ''),
        file: `${dir.name}/${file}`,
        content: await readFile(join(LIBRARY, dir.name, file), 'utf8'),
        type: automation ? 'Automation' : 'Command',
      });
    }
  }
  return found;
}

/** What every template gets as its side file: a service, one alarm, an RTO. */
export const SIDE = {
  service: 'library',
  objectives: { rto: 'PT15M' },
  hypothesis: { alarms: ['library-availability'] },
};

/** The generic side file pointed at a world's service: its name and its availability alarm. */
export const sideFor = (service: string) => ({
  ...SIDE,
  service,
  hypothesis: { alarms: [`${service}-availability-critical`] },
});

/**
 * The template with its targets pointed at the world's resources, as a user's own would be: tags
 * become the world's service tag, ARNs become those of the world's resources of that type.
 */
export function pointAtWorld<T extends { targets?: Record<string, LibraryTarget> }>(
  template: T,
  world: World,
): T {
  for (const target of Object.values(template.targets ?? {})) {
    if (target.resourceTags) target.resourceTags = { Service: world.def.service.name };
    if (target.resourceArns) {
      const found = WORLD_RESOURCE_TYPES[target.resourceType]?.candidates(world) ?? [];
      target.resourceArns = found.slice(0, target.resourceArns.length).map((c) => c.arn);
    }
  }
  return template;
}

/** Whether the world has resources of every type the template targets. */
export function hasResourcesFor(template: FilledTemplate, world: World): boolean {
  return Object.values(template.targets ?? {}).every(
    (t) => (WORLD_RESOURCE_TYPES[t.resourceType]?.candidates(world).length ?? 0) > 0,
  );
}

/** The shipped checkout world with Spot Instances too, for the spot-interruption template. */
export const withSpot = (checkout: WorldDefinition): WorldDefinition => ({
  ...checkout,
  service: { ...checkout.service, spotInstancesPerAz: 1 },
});

/** The library template's folder, from its `<folder>/<file>` name. */
const folderOf = (name: string) => name.split('/')[0]!;

/**
 * Creates in SSM the documents the template's SSM actions name (`documentArn`), from the library's
 * own document in the template's folder, as a user deploys them before running it. AWS's own
 * documents (`AWS-…`) are already there. Returns the names created.
 */
export async function createDocumentsFor(
  name: string,
  template: FilledTemplate,
  ssm: SSMClient,
  documents: LibraryDocument[],
): Promise<string[]> {
  const created: string[] = [];
  for (const action of Object.values(template.actions)) {
    const arn = action.parameters?.documentArn;
    const documentName = arn?.split(':document/')[1];
    if (!documentName || documentName.startsWith('AWS-') || created.includes(documentName)) continue;
    const own = documents.find((d) => folderOf(d.file) === folderOf(name));
    if (!own) throw new Error(`${name}: names document ${documentName}, which the library does not ship`);
    await ssm.send(
      new CreateDocumentCommand({
        Name: documentName,
        Content: own.content,
        DocumentType: own.type,
        DocumentFormat: own.file.endsWith('.json') ? 'JSON' : 'YAML',
      }),
    );
    created.push(documentName);
  }
  return created;
}
