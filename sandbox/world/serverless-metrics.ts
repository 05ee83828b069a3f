import type { Datapoint, Dimensions } from '../backends/metrics.ts';
import { summarise } from './latency.ts';
import { count, samples, scaled, statisticSet, type TrafficSlice, total } from './minute-metrics.ts';
import type { ServerlessDefinition } from './serverless-schema.ts';

type Put = (namespace: string, metricName: string, dimensions: Dimensions, dp: Datapoint) => void;

/**
 * A minute of the serverless service as its services publish it: API Gateway's requests, errors
 * and latency by API; Lambda's invocations, errors, throttles, duration and concurrency by
 * function; DynamoDB's replication latency per receiving region and request latency per
 * operation; SQS's age of the oldest message.
 */
export function publishServerless(
  def: ServerlessDefinition,
  all: TrafficSlice[],
  ts: number,
  put: Put,
): void {
  const slices = all.filter((s) => s.serverless !== undefined);
  if (slices.length === 0) return;
  const of = (s: TrafficSlice) => s.serverless!;
  const sum = (rate: (r: NonNullable<TrafficSlice['serverless']>['rates']) => number) =>
    total(slices, (s) => rate(of(s).rates));

  const api = { ApiName: def.api.name };
  put(
    'AWS/ApiGateway',
    'Count',
    api,
    count(
      ts,
      sum((r) => r.requests),
    ),
  );
  put(
    'AWS/ApiGateway',
    '5XXError',
    api,
    count(
      ts,
      sum((r) => r.api5xx),
    ),
  );
  put(
    'AWS/ApiGateway',
    '4XXError',
    api,
    count(
      ts,
      sum((r) => r.api4xx),
    ),
  );
  const latency = summarise(slices.flatMap((s) => scaled(s.seconds, of(s).rates.latencies)));
  if (latency && Math.round(latency.count) > 0)
    put('AWS/ApiGateway', 'Latency', api, statisticSet(ts, latency, 'Milliseconds'));

  const fn = { FunctionName: def.function.name };
  put(
    'AWS/Lambda',
    'Invocations',
    fn,
    count(
      ts,
      sum((r) => r.invocations),
    ),
  );
  put(
    'AWS/Lambda',
    'Errors',
    fn,
    count(
      ts,
      sum((r) => r.errors),
    ),
  );
  put(
    'AWS/Lambda',
    'Throttles',
    fn,
    count(
      ts,
      sum((r) => r.throttles),
    ),
  );
  const duration = summarise(slices.flatMap((s) => scaled(s.seconds, of(s).rates.durations)));
  if (duration && Math.round(duration.count) > 0)
    put('AWS/Lambda', 'Duration', fn, statisticSet(ts, duration, 'Milliseconds'));
  put(
    'AWS/Lambda',
    'ConcurrentExecutions',
    fn,
    samples(
      ts,
      slices.map((s) => Math.round(of(s).rates.concurrency)),
      'Count',
    ),
  );

  for (const region of def.table.replicaRegions) {
    put(
      'AWS/DynamoDB',
      'ReplicationLatency',
      { TableName: def.table.name, ReceivingRegion: region },
      samples(
        ts,
        slices.map((s) => of(s).replicationLatencyMs[region] ?? 0),
        'Milliseconds',
      ),
    );
  }
  const requests = Math.round(sum((r) => r.completed));
  if (requests > 0) {
    const avg = total(slices, (s) => of(s).tableLatencyMs * of(s).rates.completed) / sum((r) => r.completed);
    for (const operation of ['GetItem', 'PutItem']) {
      put(
        'AWS/DynamoDB',
        'SuccessfulRequestLatency',
        { TableName: def.table.name, Operation: operation },
        {
          timestamp: ts,
          sampleCount: requests,
          sum: avg * requests,
          min: avg / 2,
          max: avg * 4,
          unit: 'Milliseconds',
        },
      );
    }
  }
  put(
    'AWS/SQS',
    'ApproximateAgeOfOldestMessage',
    { QueueName: def.queue.name },
    samples(
      ts,
      slices.map((s) => Math.round(of(s).queueAgeSeconds)),
      'Seconds',
    ),
  );
}
