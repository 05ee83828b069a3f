import { z } from 'zod';
import { ACTIONS, RESOURCE_TYPES } from '../../../src/fis/catalog.ts';
import type { RestRoute } from '../../protocol/rest-json.ts';
import { notFoundError, parseWire } from './errors.ts';
import type { ExperimentOps } from './experiments.ts';
import { paginate } from './paging.ts';
import type { FisStore } from './store.ts';
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
        const { page, nextToken } = paginate(Object.values(ACTIONS), req.query, 'actions');
        return { actions: page.map(actionSummaryView), nextToken };
      },
    },
    {
      method: 'GET',
      path: '/actions/{id}',
      handler: (_i, p) => {
        const spec = ACTIONS[p.id!];
        if (!spec) throw notFoundError(`Action ${p.id} not found.`);
        return { action: actionView(spec) };
      },
    },
    {
      method: 'GET',
      path: '/targetResourceTypes',
      handler: (_i, _p, req) => {
        const { page, nextToken } = paginate(Object.values(RESOURCE_TYPES), req.query, 'targetResourceTypes');
        return {
          targetResourceTypes: page.map((t) => ({
            resourceType: t.resourceType,
            description: t.description,
          })),
          nextToken,
        };
      },
    },
    {
      method: 'GET',
      path: '/targetResourceTypes/{resourceType}',
      handler: (_i, p) => {
        const spec = RESOURCE_TYPES[p.resourceType!];
        if (!spec) throw notFoundError(`Target resource type ${p.resourceType} not found.`);
        return { targetResourceType: resourceTypeView(spec) };
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
