import type { FisClient, ListExperimentsCommand, StartExperimentCommand } from '@aws-sdk/client-fis';

/**
 * The pinned @aws-sdk/client-fis 3.523.0 (the newest the registry serves) predates members that
 * newer FIS APIs take: StartExperiment's `experimentOptions.actionsMode` and ListExperiments'
 * `experimentTemplateId`. The client drops them when serialising, so a build-step middleware adds
 * them to the wire request, ahead of the content length and the signature. It goes on a client
 * (every call) or on one command (that call only).
 */

type ClientStack = FisClient['middlewareStack'];

/** A client (every call) or one command (that call only): both carry a middleware stack. */
type Target = { middlewareStack: ClientStack } | StartExperimentCommand | ListExperimentsCommand;

/** The parts of a serialised request these rewrites touch. */
interface WireRequest {
  method?: string;
  path?: string;
  body?: unknown;
  query?: Record<string, string | string[] | null>;
}

function rewriteRequests(target: Target, name: string, rewrite: (req: WireRequest) => void): void {
  // A command's stack is typed with that command's input and output; the middleware reads neither.
  (target.middlewareStack as unknown as ClientStack).add(
    (next) => async (args) => {
      rewrite(args.request as WireRequest);
      return next(args);
    },
    { step: 'build', priority: 'high', name },
  );
}

/** StartExperiment calls through `target` carry `experimentOptions.actionsMode` (`skip-all`: a dry run). */
export function sendActionsMode(target: Target, actionsMode: 'skip-all' | 'run-all'): void {
  rewriteRequests(target, 'faultlineActionsMode', (req) => {
    if (req.method === 'POST' && req.path === '/experiments' && typeof req.body === 'string') {
      const body = JSON.parse(req.body) as Record<string, unknown>;
      const options = (body.experimentOptions ?? {}) as Record<string, unknown>;
      req.body = JSON.stringify({ ...body, experimentOptions: { ...options, actionsMode } });
    }
  });
}

/** ListExperiments calls through `target` are narrowed to one template's experiments. */
export function listExperimentsOf(target: Target, experimentTemplateId: string): void {
  rewriteRequests(target, 'faultlineExperimentTemplateFilter', (req) => {
    if (req.method === 'GET' && req.path === '/experiments')
      req.query = { ...req.query, experimentTemplateId };
  });
}
