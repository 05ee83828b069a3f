import type { Route53Context } from './context.ts';
import { requireHealthCheck } from './health-checks.ts';
import type { Tag } from './model.ts';
import {
  constraintError,
  invalidInput,
  nodeList,
  ROUTE53_XMLNS,
  readBody,
  requiredText,
  text,
  textList,
} from './wire.ts';
import { requireZone } from './zones.ts';

/**
 * Route 53's resource tags (ChangeTagsForResource, ListTagsForResource, ListTagsForResources) on
 * health checks and hosted zones. The tags live on the resource's own record, so they are saved
 * with it and go when it is deleted.
 */

const resourceTypes = ['healthcheck', 'hostedzone'] as const;
type TagResourceType = (typeof resourceTypes)[number];

/** Route 53 allows this many tags on one resource, and this many keys or ids in one request. */
const MAX_TAGS_PER_RESOURCE = 10;
const MAX_IDS_PER_REQUEST = 10;
const MAX_RESOURCE_ID_LENGTH = 64;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

interface TagChanges {
  add: Tag[];
  removeKeys: string[];
}

function resourceType(raw: string): TagResourceType {
  if (!(resourceTypes as readonly string[]).includes(raw)) {
    throw constraintError(
      'resourceType',
      raw,
      `Member must satisfy enum value set: [${resourceTypes.join(', ')}]`,
    );
  }
  return raw as TagResourceType;
}

function checkLength(path: string, value: string, max: number): void {
  if (value.length > max) {
    throw constraintError(path, value, `Member must have length less than or equal to ${max}`);
  }
}

/** A wrapped list's size, checked as Route 53 checks `addTags`, `removeTagKeys` and `resourceIds`. */
function checkListSize(path: string, items: readonly unknown[], max: number): void {
  if (items.length === 0) {
    throw constraintError(path, '[]', 'Member must have length greater than or equal to 1');
  }
  if (items.length > max) {
    throw constraintError(
      path,
      `[${items.length} items]`,
      `Member must have length less than or equal to ${max}`,
    );
  }
}

function readTagChanges(body: Buffer): TagChanges {
  // The SDK sends no body at all when the request neither adds nor removes anything.
  if (body.length === 0) return { add: [], removeKeys: [] };
  const req = readBody(body, 'ChangeTagsForResourceRequest');
  const tagNodes = nodeList(req, 'AddTags', 'Tag');
  const removeKeys = textList(req, 'RemoveTagKeys', 'Key');
  if (tagNodes) checkListSize('addTags', tagNodes, MAX_TAGS_PER_RESOURCE);
  if (removeKeys) checkListSize('removeTagKeys', removeKeys, MAX_TAGS_PER_RESOURCE);
  const add = (tagNodes ?? []).map((node, i) => {
    const path = `addTags.${i + 1}.member`;
    const key = requiredText(node, 'Key', `${path}.key`);
    const value = text(node, 'Value') ?? '';
    checkLength(`${path}.key`, key, MAX_KEY_LENGTH);
    checkLength(`${path}.value`, value, MAX_VALUE_LENGTH);
    return { key, value };
  });
  for (const [i, key] of (removeKeys ?? []).entries()) {
    checkLength(`removeTagKeys.${i + 1}.member`, key, MAX_KEY_LENGTH);
  }
  const adding = new Set<string>();
  for (const { key } of add) {
    if (adding.has(key)) throw invalidInput(`Tag key ${key} appears more than once in AddTags`);
    adding.add(key);
  }
  const both = (removeKeys ?? []).find((key) => adding.has(key));
  if (both !== undefined) {
    throw invalidInput(`Tag key ${both} cannot be both added and removed in the same request`);
  }
  return { add, removeKeys: removeKeys ?? [] };
}

/**
 * The tags after a change: removed keys go, an added key that exists takes the new value in place,
 * a new key goes last. More than Route 53 allows on one resource is InvalidInput, nothing changed.
 */
function changedTags(current: readonly Tag[], changes: TagChanges, resourceId: string): Tag[] {
  const byKey = new Map(current.map((t) => [t.key, t.value]));
  for (const key of changes.removeKeys) byKey.delete(key);
  for (const { key, value } of changes.add) byKey.set(key, value);
  if (byKey.size > MAX_TAGS_PER_RESOURCE) {
    throw invalidInput(
      `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would leave ${resourceId} with ${byKey.size}.`,
    );
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** The record that carries the resource's tags; an unknown id is NoSuchHealthCheck or NoSuchHostedZone. */
function taggedResource(ctx: Route53Context, type: TagResourceType, id: string): { id: string; tags: Tag[] } {
  return type === 'healthcheck' ? requireHealthCheck(ctx, id) : requireZone(ctx, id);
}

function resourceTagSetXml(type: TagResourceType, resource: { id: string; tags: Tag[] }) {
  return {
    ResourceType: type,
    ResourceId: resource.id,
    Tags: { Tag: resource.tags.map((t) => ({ Key: t.key, Value: t.value })) },
  };
}

export function changeTagsForResource(
  ctx: Route53Context,
  rawType: string,
  id: string,
  body: Buffer,
): Record<string, unknown> {
  const type = resourceType(rawType);
  checkLength('resourceId', id, MAX_RESOURCE_ID_LENGTH);
  const changes = readTagChanges(body);
  const resource = taggedResource(ctx, type, id);
  resource.tags = changedTags(resource.tags, changes, resource.id);
  return { ChangeTagsForResourceResponse: { '@_xmlns': ROUTE53_XMLNS } };
}

export function listTagsForResource(
  ctx: Route53Context,
  rawType: string,
  id: string,
): Record<string, unknown> {
  const type = resourceType(rawType);
  checkLength('resourceId', id, MAX_RESOURCE_ID_LENGTH);
  return {
    ListTagsForResourceResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      ResourceTagSet: resourceTagSetXml(type, taggedResource(ctx, type, id)),
    },
  };
}

/** Tags of up to ten resources of one type, in the order asked; one unknown id fails the call. */
export function listTagsForResources(
  ctx: Route53Context,
  rawType: string,
  body: Buffer,
): Record<string, unknown> {
  const type = resourceType(rawType);
  const req = readBody(body, 'ListTagsForResourcesRequest');
  const ids = textList(req, 'ResourceIds', 'ResourceId');
  if (ids === undefined) throw constraintError('resourceIds', 'null', 'Member must not be null');
  checkListSize('resourceIds', ids, MAX_IDS_PER_REQUEST);
  for (const [i, id] of ids.entries()) checkLength(`resourceIds.${i + 1}.member`, id, MAX_RESOURCE_ID_LENGTH);
  const resources = [...new Set(ids)].map((id) => taggedResource(ctx, type, id));
  return {
    ListTagsForResourcesResponse: {
      '@_xmlns': ROUTE53_XMLNS,
      ResourceTagSets: { ResourceTagSet: resources.map((r) => resourceTagSetXml(type, r)) },
    },
  };
}
