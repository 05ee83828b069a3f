import { z } from 'zod';
import { catalogAction, catalogResourceType } from '../../../src/fis/catalog.ts';
import type { RestRoute } from '../../protocol/rest-json.ts';
import { notFoundError, parseWire } from './errors.ts';
import type { ExperimentOps } from './experiments.ts';
import { paginate } from './paging.ts';
import type { FisStore } from './store.ts';
import { SANDBOX_ACTION_IDS, SANDBOX_RESOURCE_TYPES } from './support.ts';
import type { TemplateOps } from './templates.ts';
import { actionSummaryView, actionView, resourceTypeView } from './views.ts';

const tagInput = z.object({ tags: z.record(z.string().min(1).max(128), z.string().max(256)) });

/** FIS's restJson1 operations: method and path as @aws-sdk/client-fis sends them. */
export function fisRoutes(
  store: FisStore,
  templates: TemplateOps,
  experiments: ExperimentOps,
): RestRoute<unknown>[] {
  const taggable = (arn: string) => {
    const r = store.byArn(arn);
    if (!r) throw notFoundError(`Resource ${arn} not found.`);
    return r;
  };
  return [
    { method: 'POST', path: '/experimentTemplates', handler: (input) => templates.create(input) },
    { method: 'GET', path: '/experimentTemplates', handler: (_i, _p, req) => templates.list(req.query) },
    { method: 'GET', path: '/experimentTemplates/{id}', handler: (_i, p) => templates.get(p.id!) },
    {
      method: 'PATCH',
      path: '/experimentTemplates/{id}',
      handler: (input, p) => templates.update(p.id!, input),
    },
    { method: 'DELETE', path: '/experimentTemplates/{id}', handler: (_i, p) => templates.delete(p.id!) },

    { method: 'POST', path: '/experiments', handler: (input) => experiments.start(input) },
    { method: 'GET', path: '/experiments', handler: (_i, _p, req) => experiments.list(req.query) },
    { method: 'GET', path: '/experiments/{id}', handler: (_i, p) => experiments.get(p.id!) },
    { method: 'DELETE', path: '/experiments/{id}', handler: (_i, p) => experiments.stop(p.id!) },
    {
      method: 'GET',
      path: '/experiments/{id}/resolvedTargets',
      handler: (_i, p, req) => experiments.resolvedTargets(p.id!, req.query),
    },

    {
      method: 'GET',
      path: '/actions',
      handler: (_i, _p, req) => {
        const { page, nextToken } = paginate([...SANDBOX_ACTION_IDS], req.query, 'actions');
        return { actions: page.map((id) => actionSummaryView(id, catalogAction(id)!)), nextToken };
      },
    },
    {
      method: 'GET',
      path: '/actions/{id}',
      handler: (_i, p) => {
        const spec = SANDBOX_ACTION_IDS.includes(p.id!) ? catalogAction(p.id!) : undefined;
        if (!spec) throw notFoundError(`Action ${p.id} not found.`);
        return { action: actionView(p.id!, spec) };
      },
    },
    {
      method: 'GET',
      path: '/targetResourceTypes',
      handler: (_i, _p, req) => {
        const { page, nextToken } = paginate([...SANDBOX_RESOURCE_TYPES], req.query, 'targetResourceTypes');
        return {
          targetResourceTypes: page.map((type) => ({
            resourceType: type,
            description: catalogResourceType(type)!.description,
          })),
          nextToken,
        };
      },
    },
    {
      method: 'GET',
      path: '/targetResourceTypes/{resourceType}',
      handler: (_i, p) => {
        const type = p.resourceType!;
        const spec = SANDBOX_RESOURCE_TYPES.includes(type) ? catalogResourceType(type) : undefined;
        if (!spec) throw notFoundError(`Target resource type ${type} not found.`);
        return { targetResourceType: resourceTypeView(type, spec) };
      },
    },

    {
      method: 'GET',
      path: '/tags/{resourceArn}',
      handler: (_i, p) => ({ tags: taggable(p.resourceArn!).tags }),
    },
    {
      method: 'POST',
      path: '/tags/{resourceArn}',
      handler: (input, p) => {
        const r = taggable(p.resourceArn!);
        Object.assign(r.tags, parseWire(tagInput, input).tags);
        return {};
      },
    },
    {
      method: 'DELETE',
      path: '/tags/{resourceArn}',
      handler: (_i, p, req) => {
        const r = taggable(p.resourceArn!);
        for (const key of req.query.getAll('tagKeys')) delete r.tags[key];
        return {};
      },
    },
  ];
}
