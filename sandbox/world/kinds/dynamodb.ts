import { parseIsoDuration } from '../../../src/time/duration.ts';
import { WorldError } from '../errors.ts';
import { type ActionRunner, candidate, timedFault, type WorldKind } from './kind.ts';

/**
 * DynamoDB global tables: aws:dynamodb:global-table-pause-replication. Writes go on in the world's
 * region; replication to every replica stops for `duration` (ReplicationLatency grows by the time
 * it has been paused) and resumes afterwards, or at once when the action is stopped.
 */
const pauseReplication: ActionRunner = (ctx) => {
  const s = ctx.world.serverless;
  if (!s) throw new WorldError('ResourceNotFoundException', 'The world has no DynamoDB global tables.');
  const ms = parseIsoDuration(ctx.parameters.duration!)!;
  const resumes = ctx.resources.map((r) => s.pauseReplication(r.arn));
  return timedFault(ctx, ms, () => {
    for (const resume of resumes) resume();
  });
};

export const dynamodbKind: WorldKind = {
  name: 'DynamoDB global tables',
  resourceTypes: {
    'aws:dynamodb:global-table': {
      filterPaths: ['TableName', 'TableStatus'],
      candidates: (world) =>
        (world.serverless?.globalTables() ?? []).map((t) =>
          candidate({ id: t.name, arn: t.arn, tags: t.tags }, { TableName: t.name, TableStatus: 'ACTIVE' }),
        ),
    },
  },
  actions: {
    'aws:dynamodb:global-table-pause-replication': { run: pauseReplication },
  },
};
