import { parseIsoDuration } from '../../../src/time/duration.ts';
import { type ActionRunner, timedFault, type WorldKind } from './kind.ts';

/** FIS's own actions, which touch no resource. */

/** aws:fis:wait. */
const wait: ActionRunner = (ctx) => timedFault(ctx, parseIsoDuration(ctx.parameters.duration!)!);

export const fisKind: WorldKind = {
  name: 'FIS',
  actions: { 'aws:fis:wait': { run: wait } },
};
