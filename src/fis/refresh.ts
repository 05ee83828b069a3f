import {
  type FisClient,
  GetActionCommand,
  GetTargetResourceTypeCommand,
  ListActionsCommand,
  ListTargetResourceTypesCommand,
} from '@aws-sdk/client-fis';
import type { ActionEntry, Catalog, ParameterEntry, ResourceTypeEntry } from './catalog.ts';

/**
 * Reads FIS's catalog from FIS's own API (ListActions, GetAction, ListTargetResourceTypes,
 * GetTargetResourceType) into a catalog. The API says which actions and resource types exist,
 * their descriptions, parameters (and which are required) and target keys; it does not say how a
 * value is written, so the documented formats, dependencies and ARN shapes of `previous` are kept
 * for every parameter and type that is still there.
 */
export async function readCatalogFromFis(
  fis: FisClient,
  previous: Catalog,
  about: { takenAt: string; where: string },
): Promise<{ catalog: Catalog; changes: CatalogChanges }> {
  const actionIds = await listAll((nextToken) =>
    fis
      .send(new ListActionsCommand({ maxResults: 100, nextToken }))
      .then((r) => ({ items: (r.actions ?? []).map((a) => a.id!), nextToken: r.nextToken })),
  );
  const types = await listAll((nextToken) =>
    fis.send(new ListTargetResourceTypesCommand({ maxResults: 100, nextToken })).then((r) => ({
      items: (r.targetResourceTypes ?? []).map((t) => t.resourceType!),
      nextToken: r.nextToken,
    })),
  );
  const actions: Record<string, ActionEntry> = {};
  await inTurns(actionIds, async (id) => {
    const { action } = await fis.send(new GetActionCommand({ id }));
    const before = previous.actions[id];
    actions[id] = dropUndefined({
      description: action?.description ?? before?.description ?? '',
      targets: Object.fromEntries(
        Object.entries(action?.targets ?? {}).map(([key, t]) => [key, t.resourceType ?? '']),
      ),
      parameters: mergeParameters(action?.parameters ?? {}, before?.parameters ?? {}),
      replacedBy: before?.replacedBy,
    });
  });
  const resourceTypes: Record<string, ResourceTypeEntry> = {};
  await inTurns(types, async (type) => {
    const { targetResourceType: t } = await fis.send(
      new GetTargetResourceTypeCommand({ resourceType: type }),
    );
    const before = previous.resourceTypes[type];
    resourceTypes[type] = dropUndefined({
      description: t?.description ?? before?.description ?? '',
      parameters: mergeParameters(t?.parameters ?? {}, before?.parameters ?? {}),
      arns: before?.arns,
      identifiedBy: before?.identifiedBy,
      replacedBy: before?.replacedBy,
    });
  });
  const catalog: Catalog = {
    takenAt: about.takenAt,
    source: `FIS's API ${about.where} (ListActions, GetAction, ListTargetResourceTypes, GetTargetResourceType); value formats from the AWS FIS User Guide (Actions reference, Targets)`,
    actions,
    resourceTypes,
  };
  return { catalog, changes: changesBetween(previous, catalog) };
}

/** The API's parameters, each with the documented format and dependency it had before, if any. */
function mergeParameters(
  api: Record<string, { description?: string; required?: boolean }>,
  before: Record<string, ParameterEntry>,
): Record<string, ParameterEntry> {
  return Object.fromEntries(
    Object.entries(api).map(([name, p]) => {
      const old = before[name];
      const dependsOn = old?.requiredWith && api[old.requiredWith.parameter] ? old.requiredWith : undefined;
      return [
        name,
        dropUndefined({
          description: p.description ?? old?.description ?? '',
          required: p.required ?? false,
          format: old?.format,
          requiredWith: dependsOn,
        }),
      ];
    }),
  );
}

export interface CatalogChanges {
  addedActions: string[];
  removedActions: string[];
  /** Actions whose target keys or parameters (names or required-ness) changed. */
  changedActions: string[];
  addedResourceTypes: string[];
  removedResourceTypes: string[];
  /** `action.parameter` of every parameter with no documented format: any text is taken. */
  unformatted: string[];
}

export function changesBetween(before: Catalog, after: Catalog): CatalogChanges {
  const shape = (a: ActionEntry) =>
    JSON.stringify({
      targets: a.targets,
      parameters: Object.entries(a.parameters)
        .map(([n, p]) => [n, p.required])
        .sort(),
    });
  const diff = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    Object.keys(a)
      .filter((k) => !(k in b))
      .sort();
  return {
    addedActions: diff(after.actions, before.actions),
    removedActions: diff(before.actions, after.actions),
    changedActions: Object.keys(after.actions)
      .filter((id) => before.actions[id] && shape(before.actions[id]) !== shape(after.actions[id]!))
      .sort(),
    addedResourceTypes: diff(after.resourceTypes, before.resourceTypes),
    removedResourceTypes: diff(before.resourceTypes, after.resourceTypes),
    unformatted: Object.entries(after.actions)
      .flatMap(([id, a]) =>
        Object.entries(a.parameters)
          .filter(([, p]) => p.format === undefined)
          .map(([name]) => `${id}.${name}`),
      )
      .sort(),
  };
}

async function listAll(
  page: (nextToken: string | undefined) => Promise<{ items: string[]; nextToken?: string }>,
): Promise<string[]> {
  const all: string[] = [];
  let nextToken: string | undefined;
  do {
    const r = await page(nextToken);
    all.push(...r.items);
    nextToken = r.nextToken;
  } while (nextToken);
  return all;
}

/** Runs `f` on every item, four at a time: FIS throttles a burst of Get calls. */
async function inTurns<T>(items: readonly T[], f: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await f(item);
    }),
  );
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
